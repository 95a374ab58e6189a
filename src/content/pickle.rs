//! Python pickles, protocols 0 to 5: what `torch.save` (`training_args.bin`), `joblib` and
//! `pickle.dump` write.
//!
//! A token in a pickle is glued to the format: protocol 0 writes `Vhf_…\n`, protocol 2 writes
//! `X` + a 4-byte length + `hf_…` + the next opcode (often `q`, a letter), so a boundary check
//! made for text rejects it. This reader walks the opcodes and scans each string by its declared
//! length (or its line), so the format bounds the token and not the byte that follows. It never
//! unpickles or executes anything, never allocates by a declared length (long strings are
//! scanned as streams), and stops being a pickle reader at the first byte that is no opcode:
//! the rest is scanned as raw bytes. Several pickles in a row (the legacy `torch.save` format)
//! are read one after the other; what follows the last one (tensor storage) is raw bytes.

use std::io::{self, BufRead, BufReader, Read};

use super::numpy::{self, Values};
use super::{ContentScanner, Frame, Walk};
use crate::finding::Encoding;

/// Strings up to this long are kept to follow joblib's array wrappers.
const SHORT_STRING: u64 = 64;
/// The most array bytes one joblib wrapper may declare (what is not read as values is read as
/// the rest of the pickle, then raw bytes).
const MAX_ARRAY: u64 = 1 << 40;

/// joblib pickles a numpy array as a `NumpyArrayWrapper` whose state names its shape and
/// dtype, and writes the array's bytes right after that state is built (after a padding of
/// `0xff` bytes, its length in the byte before it, since joblib 1.2): no opcode frames them.
/// Followed through the strings and small integers of the state, the wrapper says how many
/// bytes its array takes and how each value is bounded, and the pickle goes on after them.
#[derive(Default)]
struct JoblibArray {
    /// A `NumpyArrayWrapper` class was named: joblib wrote this pickle.
    joblib: bool,
    /// The state of the wrapper being built.
    state: WrapperState,
}

#[derive(Default)]
struct WrapperState {
    started: bool,
    after_dtype_key: bool,
    collecting_shape: bool,
    shape: Vec<u64>,
    dtype: Option<String>,
    /// `allow_mmap` is the state's last key but one: the dtype's own BUILD comes before it.
    keys_done: bool,
}

impl JoblibArray {
    /// A string the pickle pushed, or fetched from its memo (the second wrapper's keys are
    /// memo references to the first one's).
    fn string(&mut self, text: &[u8]) {
        let state = &mut self.state;
        match text {
            b"NumpyArrayWrapper" => self.joblib = true,
            _ if !self.joblib => {}
            // Each wrapper's state starts with its subclass.
            b"subclass" => {
                self.state = WrapperState {
                    started: true,
                    ..WrapperState::default()
                }
            }
            _ if !state.started => {}
            b"shape" => {
                state.collecting_shape = true;
                state.shape.clear();
            }
            b"dtype" => state.after_dtype_key = true,
            b"allow_mmap" => state.keys_done = true,
            _ if state.after_dtype_key && state.dtype.is_none() => {
                // `numpy.dtype` is called with the descr string (`U37`).
                if let Ok(text) = std::str::from_utf8(text) {
                    if text != "numpy" {
                        state.dtype = Some(text.to_string());
                    }
                }
            }
            _ => {}
        }
    }

    fn int(&mut self, value: u64) {
        if self.state.collecting_shape {
            self.state.shape.push(value);
        }
    }

    fn tuple(&mut self) {
        self.state.collecting_shape = false;
    }

    /// At BUILD: the array's values and their byte length, if a wrapper's state is complete.
    fn built(&mut self) -> Option<(Values, u64)> {
        if !self.state.keys_done || self.state.collecting_shape {
            return None;
        }
        let state = std::mem::take(&mut self.state);
        let descr = state.dtype?;
        let item = numpy::item_size(&descr)?;
        let values = numpy::values_of_descr(&descr);
        let count = state
            .shape
            .iter()
            .try_fold(1u64, |product, &dim| product.checked_mul(dim))?;
        let length = count.checked_mul(item).filter(|&l| l <= MAX_ARRAY)?;
        Some((values, length))
    }
}

/// The pickle's memo, as far as short strings go: what MEMOIZE and BINPUT stored, for BINGET.
#[derive(Default)]
struct Memo {
    strings: std::collections::HashMap<u64, Vec<u8>>,
    next: u64,
    /// The string on top of the stack, if the last opcode pushed one.
    top: Option<Vec<u8>>,
}

/// Memo entries kept (a pickle may memoize millions of objects; joblib's keys come first).
const MAX_MEMO_STRINGS: usize = 4096;

impl Memo {
    fn put(&mut self, index: u64) {
        if let Some(text) = &self.top {
            if self.strings.len() < MAX_MEMO_STRINGS {
                self.strings.insert(index, text.clone());
            }
        }
        self.next = self.next.max(index + 1);
    }
}

/// A protocol 0 line argument longer than this is not a pickle's.
const MAX_LINE: u64 = 1 << 20;

/// How an opcode's argument is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arg {
    None,
    /// Fixed-size binary (ints, floats, memo indices, frame lengths).
    Fixed(u64),
    /// A string of the declared length, the length in 1, 4 or 8 little-endian bytes.
    Counted(u8),
    /// A number of the declared length (LONG1, LONG4): not text.
    CountedNumber(u8),
    /// Text up to a newline (protocol 0); `c`/`i` take two lines.
    Lines(u8),
}

fn arg_of(opcode: u8) -> Option<Arg> {
    Some(match opcode {
        b'(' | b'.' | b'0' | b'1' | b'2' | b'N' | b'R' | b']' | b'a' | b'b' | b'd' | b'}'
        | b'e' | b'l' | b')' | b't' | b's' | b'u' | b'o' | b'Q' | 0x81 | 0x85 | 0x86 | 0x87
        | 0x88 | 0x89 | 0x8f | 0x90 | 0x91 | 0x92 | 0x93 | 0x94 | 0x97 | 0x98 => Arg::None,
        b'K' | b'q' | b'h' | 0x80 | 0x82 => Arg::Fixed(1),
        b'M' | 0x83 => Arg::Fixed(2),
        b'J' | b'j' | b'r' | 0x84 => Arg::Fixed(4),
        b'G' | 0x95 => Arg::Fixed(8),
        b'U' | b'C' | 0x8c => Arg::Counted(1),
        b'T' | b'X' | b'B' => Arg::Counted(4),
        0x8d | 0x8e | 0x96 => Arg::Counted(8),
        0x8a => Arg::CountedNumber(1),
        0x8b => Arg::CountedNumber(4),
        b'I' | b'L' | b'F' | b'S' | b'V' | b'p' | b'g' | b'P' => Arg::Lines(1),
        b'c' | b'i' => Arg::Lines(2),
        _ => return None,
    })
}

/// How protocol 0 and 1 pickles of dicts, lists, objects and strings begin.
const TEXT_PROTOCOL_STARTS: &[&[u8]] = &[
    b"(dp0\n",
    b"(lp0\n",
    b"(dp1\n",
    b"(lp1\n",
    b"ccopy_reg\n_reconstructor\n",
    b"c__builtin__\n",
    b"ccollections\nOrderedDict\n",
    b"}q\x00(",
    b"]q\x00(",
    b"}q\x00X",
    b"]q\x00X",
    b"(X",
];

/// A protocol 2+ pickle starts with PROTO and its version; older ones are recognised by the
/// way their usual objects begin.
pub fn is_pickle(head: &[u8]) -> bool {
    match head {
        [0x80, protocol, next, ..] => (2..=5).contains(protocol) && arg_of(*next).is_some(),
        _ => TEXT_PROTOCOL_STARTS
            .iter()
            .any(|start| head.starts_with(start)),
    }
}

/// The reader with its position: offsets of strings are offsets in the member.
struct Input<R> {
    reader: BufReader<R>,
    position: u64,
}

impl<R: Read> Input<R> {
    fn byte(&mut self) -> io::Result<Option<u8>> {
        let next = self.reader.fill_buf()?.first().copied();
        if next.is_some() {
            self.reader.consume(1);
            self.position += 1;
        }
        Ok(next)
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        Ok(self.reader.fill_buf()?.first().copied())
    }

    /// Skips `count` bytes; false when the stream ends first.
    fn skip(&mut self, count: u64) -> io::Result<bool> {
        let skipped = io::copy(&mut (&mut self.reader).take(count), &mut io::sink())?;
        self.position += skipped;
        Ok(skipped == count)
    }

    /// A little-endian length of `width` bytes.
    fn length(&mut self, width: u8) -> io::Result<Option<u64>> {
        let mut bytes = [0u8; 8];
        let width = usize::from(width);
        match self.reader.read_exact(&mut bytes[..width]) {
            Ok(()) => {
                self.position += width as u64;
                Ok(Some(u64::from_le_bytes(bytes)))
            }
            Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(err) => Err(err),
        }
    }
}

pub(super) fn walk(
    scanner: &mut ContentScanner,
    reader: &mut dyn Read,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let mut input = Input {
        reader: BufReader::new(reader),
        position: 0,
    };
    let truncated = |walk: &mut Walk, at: u64| {
        walk.warn(
            frame,
            format!("pickle: truncated at byte {at}; what was read before it was scanned"),
        );
    };
    let mut array = JoblibArray::default();
    let mut memo = Memo::default();
    loop {
        let at = input.position;
        let Some(opcode) = input.byte()? else {
            return Ok(());
        };
        let top = memo.top.take();
        match opcode {
            0x94 => {
                // MEMOIZE: the top stays on the stack.
                memo.top = top;
                memo.put(memo.next);
                continue;
            }
            0x85..=0x87 | b't' => array.tuple(),
            b'b' => {
                if let Some((values, length)) = array.built() {
                    read_joblib_array(scanner, &mut input, &values, length, frame, walk)?;
                }
                continue;
            }
            _ => {}
        }
        let Some(arg) = arg_of(opcode) else {
            // Not (or no longer) a pickle: the rest is raw bytes, this byte included.
            let first = [opcode];
            let mut rest = first.as_slice().chain(&mut input.reader);
            return scanner.plain(&mut rest, frame, at, walk);
        };
        let complete = match arg {
            Arg::None if opcode == b'.' => {
                // STOP: another pickle may follow (legacy torch.save); anything else is data.
                match input.peek()? {
                    None => return Ok(()),
                    Some(0x80) => true,
                    Some(_) => {
                        let from = input.position;
                        return scanner.plain(&mut input.reader, frame, from, walk);
                    }
                }
            }
            Arg::None => true,
            Arg::Fixed(width)
                if matches!(opcode, b'K' | b'M' | b'J' | b'q' | b'r' | b'h' | b'j') =>
            {
                match input.length(width as u8)? {
                    Some(value) => {
                        match opcode {
                            b'K' | b'M' | b'J' => array.int(value),
                            // BINPUT: the top stays on the stack.
                            b'q' | b'r' => {
                                memo.top = top;
                                memo.put(value);
                            }
                            _ => {
                                if let Some(text) = memo.strings.get(&value) {
                                    array.string(text);
                                    memo.top = Some(text.clone());
                                }
                            }
                        }
                        true
                    }
                    None => false,
                }
            }
            Arg::Fixed(count) => input.skip(count)?,
            Arg::CountedNumber(width) => match input.length(width)? {
                Some(length) => input.skip(length)?,
                None => false,
            },
            Arg::Counted(width) => match input.length(width)? {
                Some(length) if length <= SHORT_STRING => {
                    let start = input.position;
                    let mut text = Vec::with_capacity(length as usize);
                    (&mut input.reader).take(length).read_to_end(&mut text)?;
                    input.position += text.len() as u64;
                    array.string(&text);
                    memo.top = Some(text.clone());
                    scanner.framed_string(
                        &mut text.as_slice(),
                        length,
                        start,
                        frame,
                        Encoding::Pickle,
                        walk,
                    )?
                }
                Some(length) => {
                    let start = input.position;
                    let complete = scanner.framed_string(
                        &mut input.reader,
                        length,
                        start,
                        frame,
                        Encoding::Pickle,
                        walk,
                    )?;
                    input.position = start.saturating_add(length);
                    complete
                }
                None => false,
            },
            Arg::Lines(count) => {
                let mut complete = true;
                for _ in 0..count {
                    let start = input.position;
                    let mut line = Vec::new();
                    (&mut input.reader)
                        .take(MAX_LINE)
                        .read_until(b'\n', &mut line)?;
                    input.position += line.len() as u64;
                    if line.last() != Some(&b'\n') {
                        if line.len() as u64 == MAX_LINE {
                            // No pickle has such a line: scan the rest as raw bytes.
                            let mut rest = line.as_slice().chain(&mut input.reader);
                            return scanner.plain(&mut rest, frame, start, walk);
                        }
                        complete = false;
                    }
                    scanner.framed_string(
                        &mut line.as_slice(),
                        line.len() as u64,
                        start,
                        frame,
                        Encoding::Pickle,
                        walk,
                    )?;
                }
                complete
            }
        };
        if !complete {
            truncated(walk, at);
            return Ok(());
        }
    }
}

/// A joblib array's bytes after its wrapper is built: the padding, then `length` bytes of
/// values, each scanned within its width.
fn read_joblib_array<R: Read>(
    scanner: &mut ContentScanner,
    input: &mut Input<R>,
    values: &Values,
    length: u64,
    frame: &Frame,
    walk: &mut Walk,
) -> io::Result<()> {
    let buffered = input.reader.fill_buf()?;
    if let Some((&padding, rest)) = buffered.split_first() {
        let padding = usize::from(padding);
        if padding <= 64 && rest.len() >= padding && rest[..padding].iter().all(|&b| b == 0xff) {
            input.reader.consume(1 + padding);
            input.position += 1 + padding as u64;
        }
    }
    let start = input.position;
    let mut data = (&mut input.reader).take(length);
    numpy::scan_values(scanner, &mut data, values, start, frame, walk)?;
    let left = data.limit();
    input.position += length - left;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{ContentOptions, ContentScanner};
    use crate::detect::matcher::Matcher;
    use crate::detect::rules::Rules;
    use crate::testing::{fake_body, fake_token, Rng};

    /// Every string opcode with a length prefix: the opcode and the prefix width.
    const COUNTED: &[(u8, usize)] = &[
        (0x8c, 1),
        (b'U', 1),
        (b'C', 1),
        (b'X', 4),
        (b'T', 4),
        (b'B', 4),
        (0x8d, 8),
        (0x8e, 8),
        (0x96, 8),
    ];

    /// A protocol 4 pickle of one string, framed as `opcode` declares it (`declared` bytes),
    /// whatever the bytes are, then MEMOIZE-free BINPUT and STOP.
    fn pickle_of(opcode: u8, width: usize, declared: usize, bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![0x80, 4, opcode];
        out.extend_from_slice(&(declared as u64).to_le_bytes()[..width]);
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"q\x00.");
        out
    }

    fn tokens_in(bytes: &[u8]) -> Vec<(String, u64)> {
        crate::content::tokens_found_by(bytes, Encoding::Pickle)
    }

    #[test]
    fn a_token_framed_by_any_length_prefix_is_found_where_it_starts() {
        let mut rng = Rng::new(77);
        for _ in 0..20 {
            for &(opcode, width) in COUNTED {
                let token = fake_token(&mut rng);
                let pickle = pickle_of(opcode, width, token.len(), token.as_bytes());
                assert_eq!(
                    tokens_in(&pickle),
                    [(token.clone(), 3 + width as u64)],
                    "opcode {opcode:#x}"
                );
                // Inside a longer string, after other text.
                let text = format!("HF_TOKEN={token}");
                let pickle = pickle_of(opcode, width, text.len(), text.as_bytes());
                assert_eq!(tokens_in(&pickle), [(token, 3 + width as u64 + 9)]);
            }
        }
    }

    #[test]
    fn a_declared_length_that_is_not_a_tokens_is_never_reported() {
        let mut rng = Rng::new(78);
        for _ in 0..20 {
            for &(opcode, width) in COUNTED {
                let token = fake_token(&mut rng);
                // Longer than a token: `hf_` and 34 characters, then more of the same string.
                let longer = format!(
                    "{token}{}",
                    &fake_body(&mut rng)[..1 + rng.below(20) as usize]
                );
                let pickle = pickle_of(opcode, width, longer.len(), longer.as_bytes());
                assert_eq!(tokens_in(&pickle), [], "{opcode:#x} {}", longer.len());
                // Shorter: the string ends inside the token; its tail is no string at all.
                for declared in [3, 10, 36] {
                    let pickle = pickle_of(opcode, width, declared, token.as_bytes());
                    assert_eq!(tokens_in(&pickle), [], "{opcode:#x} {declared}");
                }
            }
        }
    }

    #[test]
    fn protocol_0_lines_bound_the_token() {
        let mut rng = Rng::new(79);
        let token = fake_token(&mut rng);
        let pickle = format!("(dp0\nVhub_token\np1\nV{token}\np2\ns.");
        let at = pickle.find(&token).unwrap() as u64;
        assert_eq!(tokens_in(pickle.as_bytes()), [(token.clone(), at)]);
        let pickle = format!("(dp0\nS'{token}'\np1\ns.");
        let at = pickle.find(&token).unwrap() as u64;
        assert_eq!(tokens_in(pickle.as_bytes()), [(token, at)]);
    }

    #[test]
    fn a_huge_declared_length_allocates_nothing_and_reads_as_truncated() {
        let matcher = Matcher::new(Rules::builtin()).unwrap();
        let mut pickle = vec![0x80, 4, 0x8d];
        pickle.extend_from_slice(&u64::MAX.to_le_bytes());
        pickle.extend_from_slice(b"abc");
        let scanned = ContentScanner::new(&matcher, ContentOptions::default()).scan_bytes(&pickle);
        assert!(scanned.hits.is_empty());
        assert_eq!(scanned.warnings.len(), 1, "{:?}", scanned.warnings);
        assert!(
            scanned.warnings[0].1.contains("truncated"),
            "{:?}",
            scanned.warnings
        );
    }

    #[test]
    fn pickles_are_recognised_by_protocol_or_opening() {
        assert!(is_pickle(b"\x80\x02}q\x00"));
        assert!(is_pickle(b"\x80\x05\x95\x20\x00"));
        assert!(is_pickle(b"(dp0\nVkey\n"));
        assert!(is_pickle(b"}q\x00(X\x03\x00\x00\x00"));
        assert!(!is_pickle(b"\x80\x09\x95"), "no protocol 9");
        assert!(!is_pickle(b"\x80\x02\xff"), "0xff is no opcode");
        assert!(!is_pickle(b"(see below)"));
    }
}
