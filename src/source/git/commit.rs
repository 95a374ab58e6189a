//! Commit objects: parsed from the packs (tree, parents, message), else read through libgit2;
//! and what a report says of a commit (author, date in the author's offset, summary).

use std::collections::HashSet;

use git2::{Oid, Repository};

use super::pack::{Kind, PackReader};
use crate::finding::{CommitInfo, Introduced};

/// What phase 2 needs of a commit.
pub(super) struct CommitObject {
    pub(super) tree: Oid,
    pub(super) parents: Vec<Oid>,
    pub(super) message: Vec<u8>,
}

/// The commit `oid`, from the packs, else through libgit2 (loose objects, grafts, and what
/// the pack reader cannot read).
pub(super) fn read_commit(
    packs: &mut PackReader,
    repo: &Repository,
    oid: Oid,
) -> Result<CommitObject, git2::Error> {
    if let Some(commit) = packs
        .read(oid, Kind::Commit)
        .and_then(|raw| parse_commit(&raw))
    {
        return Ok(commit);
    }
    let commit = repo.find_commit(oid)?;
    Ok(CommitObject {
        tree: commit.tree_id(),
        parents: commit.parent_ids().collect(),
        message: commit.message_bytes().to_vec(),
    })
}

/// A raw commit's tree, parents and message (leading blank lines skipped, as libgit2 gives
/// it); `None` when it is not shaped like one.
pub(super) fn parse_commit(raw: &[u8]) -> Option<CommitObject> {
    let (headers, message) = match memchr::memmem::find(raw, b"\n\n") {
        Some(end) => (&raw[..end], &raw[end + 2..]),
        None => (raw, &[][..]),
    };
    let hex_id = |hex: &[u8]| -> Option<Oid> {
        (hex.len() == 40)
            .then(|| Oid::from_str(std::str::from_utf8(hex).ok()?).ok())
            .flatten()
    };
    let mut lines = headers.split(|&byte| byte == b'\n');
    let tree = hex_id(lines.next()?.strip_prefix(b"tree ")?)?;
    let mut parents = Vec::new();
    for line in lines {
        match line.strip_prefix(b"parent ") {
            Some(id) => parents.push(hex_id(id)?),
            None => break,
        }
    }
    let skip = message.iter().take_while(|&&byte| byte == b'\n').count();
    Some(CommitObject {
        tree,
        parents,
        message: message[skip..].to_vec(),
    })
}

pub fn commit_info(repo: &Repository, oid: Oid, shallow: &HashSet<Oid>) -> CommitInfo {
    let introduced = if shallow.contains(&oid) {
        Introduced::AtOrBefore
    } else {
        Introduced::At
    };
    let Ok(commit) = repo.find_commit(oid) else {
        return CommitInfo {
            id: oid.to_string(),
            author_name: String::new(),
            author_email: String::new(),
            date: String::new(),
            summary: String::new(),
            introduced,
        };
    };
    let author = commit.author();
    CommitInfo {
        id: oid.to_string(),
        author_name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        author_email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        date: rfc3339(author.when()),
        summary: commit
            .summary_bytes()
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .unwrap_or_default(),
        introduced,
    }
}

/// A git timestamp as RFC 3339 in the author's own offset: `2024-05-01T09:30:00+02:00`.
pub(super) fn rfc3339(time: git2::Time) -> String {
    let offset = i64::from(time.offset_minutes());
    let local = time.seconds() + offset * 60;
    let days = local.div_euclid(86_400);
    let seconds_of_day = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let sign = if offset < 0 { '-' } else { '+' };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        seconds_of_day / 3600,
        seconds_of_day % 3600 / 60,
        seconds_of_day % 60,
        offset.abs() / 60,
        offset.abs() % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_keeps_the_authors_offset() {
        assert_eq!(rfc3339(git2::Time::new(0, 0)), "1970-01-01T00:00:00+00:00");
        // 2024-02-29T23:30:00Z seen from UTC+02:00 is the next day.
        assert_eq!(
            rfc3339(git2::Time::new(1_709_249_400, 120)),
            "2024-03-01T01:30:00+02:00"
        );
        assert_eq!(
            rfc3339(git2::Time::new(1_709_249_400, -330)),
            "2024-02-29T18:00:00-05:30"
        );
    }
}
