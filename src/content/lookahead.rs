//! A stream read ahead: format readers that walk a stream structure by structure (a Parquet
//! page header, an Arrow message) parse from what is buffered, ask for more when a structure
//! runs past it, and consume what they parsed; large bodies go straight to the caller's
//! buffer.

use std::io::{self, Read};

use super::read_up_to;

/// A stream, with what has been read of it but not consumed.
pub(super) struct Lookahead<'r> {
    pub reader: &'r mut dyn Read,
    buffer: Vec<u8>,
    start: usize,
    /// The file offset of `buffer[start]`.
    pub offset: u64,
    pub ended: bool,
}

impl<'r> Lookahead<'r> {
    pub fn new(reader: &'r mut dyn Read) -> Self {
        Self {
            reader,
            buffer: Vec::new(),
            start: 0,
            offset: 0,
            ended: false,
        }
    }

    pub fn available(&self) -> &[u8] {
        &self.buffer[self.start..]
    }

    /// Reads until `wanted` bytes are available or the stream ends.
    pub fn fill(&mut self, wanted: usize) -> io::Result<()> {
        if self.available().len() >= wanted || self.ended {
            return Ok(());
        }
        // Consumed bytes are dropped once they are half the buffer: each byte is moved a
        // bounded number of times however the reader alternates small fills and consumes.
        if self.start > self.buffer.len() / 2 {
            self.buffer.drain(..self.start);
            self.start = 0;
        }
        let wanted = self.start + wanted;
        while self.buffer.len() < wanted && !self.ended {
            let have = self.buffer.len();
            self.buffer.resize(wanted.max(have + (64 << 10)), 0);
            let read = read_up_to(self.reader, &mut self.buffer[have..])?;
            self.buffer.truncate(have + read);
            self.ended = read == 0 || self.buffer.len() < wanted.max(have + (64 << 10));
        }
        Ok(())
    }

    pub fn consume(&mut self, count: usize) {
        self.start += count;
        self.offset += count as u64;
    }

    /// Moves the next `count` bytes into `out`; fewer only where the stream ends.
    pub fn take(&mut self, count: usize, out: &mut Vec<u8>) -> io::Result<()> {
        out.clear();
        let buffered = self.available().len().min(count);
        out.extend_from_slice(&self.buffer[self.start..self.start + buffered]);
        self.consume(buffered);
        if out.len() < count && !self.ended {
            let have = out.len();
            out.resize(count, 0);
            let read = read_up_to(self.reader, &mut out[have..])?;
            out.truncate(have + read);
            self.offset += read as u64;
            self.ended = out.len() < count;
        }
        Ok(())
    }

    /// The rest of the stream, buffered bytes first.
    pub fn rest(&mut self) -> io::Chain<io::Cursor<&[u8]>, &mut dyn Read> {
        let buffered = io::Cursor::new(&self.buffer[self.start..]);
        buffered.chain(&mut *self.reader)
    }
}
