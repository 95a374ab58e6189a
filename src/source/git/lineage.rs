//! The blob phase's read order: delta families, each read depth-first.
//!
//! A pack stores most blobs as deltas on other blobs, in chains that branch: a file's versions
//! form one family, rooted at a whole object. Read in pack order, families interleave, and a
//! worker meets a delta whose base its cache has let go, and resolves the chain again; two
//! workers claiming blocks in turn each resolve the same chains (on the huggingface_hub mirror:
//! 48,000 deltas applied for its 24,000 blob deltas; 437,000 for 262,000 on rails/rails). Read
//! family by family, depth-first, each object's base is one of the last few objects read, which
//! the reader's cache holds: one delta per object (24,300 and 261,800), and a family is handed
//! to one worker whole.
//!
//! Only entry headers are read to plan this. The pack is untrusted: a base that is no job of
//! the scan is planned too (its header read), up to as many as there are jobs; a base the
//! headers cannot name, a cycle of deltas by id, or a job not in a pack is read last, in pack
//! order, and the reader decides what it holds, as before.

use std::collections::HashMap;
use std::ops::Range;

use super::pack::{PackPosition, PackReader};

/// A node of the delta forest that has no parent.
const ROOT: u32 = u32::MAX;

/// The order in which to read the jobs, and the blocks a worker claims at a time.
pub(super) struct ReadPlan {
    /// Job indexes, each once.
    pub order: Vec<usize>,
    /// Ranges of `order` covering it, each whole families and at least `block` jobs long
    /// (except the last).
    pub blocks: Vec<Range<usize>>,
}

/// Plans the reading of jobs whose objects lie at `positions` (one per job; an object in no
/// pack has the position `Packs::position` gives it).
pub(super) fn read_plan(
    reader: &mut PackReader,
    positions: &[PackPosition],
    block: usize,
) -> ReadPlan {
    let jobs = positions.len();
    // Nodes 0..jobs are the jobs in pack order; bases that are no job follow.
    let mut by_position: Vec<usize> = (0..jobs).collect();
    by_position.sort_by_key(|&job| positions[job]);
    let mut node_at: Vec<PackPosition> = by_position.iter().map(|&job| positions[job]).collect();
    let mut extra: HashMap<PackPosition, u32> = HashMap::new();
    let mut parent: Vec<u32> = Vec::with_capacity(jobs);
    let mut node = 0;
    while node < node_at.len() {
        let at = node_at[node];
        let base = if at.0 == usize::MAX {
            None
        } else {
            reader.base_of(at).ok().flatten()
        };
        let base_node = base.and_then(|base| {
            if let Ok(found) = node_at[..jobs].binary_search(&base) {
                return Some(found as u32);
            }
            if let Some(&found) = extra.get(&base) {
                return Some(found);
            }
            // A base that is no job: planned too, within a bound a crafted pack cannot stretch.
            (node_at.len() < 2 * jobs).then(|| {
                let id = node_at.len() as u32;
                node_at.push(base);
                extra.insert(base, id);
                id
            })
        });
        parent.push(base_node.unwrap_or(ROOT));
        node += 1;
    }
    drop(extra);

    // Children of each node, in node order (pack order for jobs).
    let nodes = node_at.len();
    let mut first_child = vec![0u32; nodes + 1];
    for &base in &parent {
        if base != ROOT {
            first_child[base as usize + 1] += 1;
        }
    }
    for node in 0..nodes {
        first_child[node + 1] += first_child[node];
    }
    let mut filled = first_child.clone();
    let mut children = vec![0u32; first_child[nodes] as usize];
    for (child, &base) in parent.iter().enumerate() {
        if base != ROOT {
            children[filled[base as usize] as usize] = child as u32;
            filled[base as usize] += 1;
        }
    }
    drop(filled);

    let mut roots: Vec<u32> = (0..nodes as u32)
        .filter(|&node| parent[node as usize] == ROOT)
        .collect();
    roots.sort_by_key(|&node| node_at[node as usize]);
    let mut plan = ReadPlan {
        order: Vec::with_capacity(jobs),
        blocks: Vec::new(),
    };
    let mut visited = vec![false; nodes];
    let mut stack = Vec::new();
    let mut block_start = 0;
    let mut close_block = |plan: &mut ReadPlan, force: bool| {
        let end = plan.order.len();
        if end > block_start && (force || end - block_start >= block) {
            plan.blocks.push(block_start..end);
            block_start = end;
        }
    };
    for root in roots {
        stack.push(root);
        while let Some(node) = stack.pop() {
            let node = node as usize;
            if std::mem::replace(&mut visited[node], true) {
                continue;
            }
            if node < jobs {
                plan.order.push(by_position[node]);
            }
            let kids = first_child[node] as usize..first_child[node + 1] as usize;
            stack.extend(children[kids].iter().rev());
        }
        close_block(&mut plan, false);
    }
    // Jobs no root leads to (a cycle of deltas by id): last, in pack order.
    for node in 0..jobs {
        if !visited[node] {
            plan.order.push(by_position[node]);
            close_block(&mut plan, false);
        }
    }
    close_block(&mut plan, true);
    plan
}
