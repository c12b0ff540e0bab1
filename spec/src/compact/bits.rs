//! Bit-level writing and reading, most significant bit first, and the Exp-Golomb codes
//! the format uses for every unsigned integer.

use super::CompactError;

/// Appends bits to a byte vector, most significant bit of each byte first.
#[derive(Debug, Default)]
pub(super) struct BitWriter {
    bytes: Vec<u8>,
    /// Number of bits written.
    len: usize,
}

impl BitWriter {
    /// Writes one bit.
    pub(super) fn bit(&mut self, bit: bool) {
        let used = self.len % 8;
        if used == 0 {
            self.bytes.push(0);
        }
        if bit {
            if let Some(last) = self.bytes.last_mut() {
                *last |= 0x80 >> used;
            }
        }
        self.len += 1;
    }

    /// Writes the low `n` bits of `value` (n ≤ 64), most significant first.
    pub(super) fn bits(&mut self, value: u64, n: u32) {
        for i in (0..n.min(64)).rev() {
            self.bit((value >> i) & 1 == 1);
        }
    }

    /// Writes `value` with the order-`k` Exp-Golomb code: let w = value + 2^k and
    /// b = floor(log2 w); write b - k zero bits, then w in b + 1 bits.
    pub(super) fn exp_golomb(&mut self, value: u64, k: u32) {
        let w = u128::from(value) + (1u128 << k);
        let b = 127 - w.leading_zeros();
        for _ in k..b {
            self.bit(false);
        }
        self.bit(true);
        // b ≤ 64, so the bits below the leading one fit in a u64.
        let rest = (w - (1u128 << b)) as u64;
        self.bits(rest, b);
    }

    /// Number of bits written so far.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The bytes, the last one padded with zero bits.
    pub(super) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Length in bits of [`BitWriter::exp_golomb`]`(value, k)`.
pub(super) fn exp_golomb_len(value: u64, k: u32) -> usize {
    let w = u128::from(value) + (1u128 << k);
    let b = (127 - w.leading_zeros()) as usize;
    2 * b + 1 - k as usize
}

/// Number of bits needed to write an index below `n` (0 when `n` ≤ 1).
pub(super) fn index_bits(n: usize) -> u32 {
    if n <= 1 {
        0
    } else {
        usize::BITS - (n - 1).leading_zeros()
    }
}

/// Reads bits from a byte slice, most significant bit of each byte first.
#[derive(Debug)]
pub(super) struct BitReader<'a> {
    bytes: &'a [u8],
    /// Position of the next bit.
    pos: usize,
}

impl<'a> BitReader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        BitReader { bytes, pos: 0 }
    }

    /// Bits not read yet.
    pub(super) fn remaining(&self) -> usize {
        (self.bytes.len() * 8).saturating_sub(self.pos)
    }

    /// Reads one bit.
    pub(super) fn bit(&mut self) -> Result<bool, CompactError> {
        let byte = self
            .bytes
            .get(self.pos / 8)
            .ok_or(CompactError::Truncated)?;
        let bit = (byte >> (7 - self.pos % 8)) & 1 == 1;
        self.pos += 1;
        Ok(bit)
    }

    /// Reads `n` bits (n ≤ 64) as an unsigned number.
    pub(super) fn bits(&mut self, n: u32) -> Result<u64, CompactError> {
        if n as usize > self.remaining() {
            return Err(CompactError::Truncated);
        }
        let mut value = 0u64;
        for _ in 0..n.min(64) {
            value = (value << 1) | u64::from(self.bit()?);
        }
        Ok(value)
    }

    /// Reads an order-`k` Exp-Golomb code (see [`BitWriter::exp_golomb`]). A code for a
    /// number above `u64::MAX` is corrupt.
    pub(super) fn exp_golomb(&mut self, k: u32) -> Result<u64, CompactError> {
        let mut zeros = 0u32;
        while !self.bit()? {
            zeros += 1;
            if zeros + k > 64 {
                return Err(CompactError::corrupt("an integer is longer than 64 bits"));
            }
        }
        let b = zeros + k;
        let rest = self.bits(b)?;
        let w = (1u128 << b) | u128::from(rest);
        u64::try_from(w - (1u128 << k))
            .map_err(|_| CompactError::corrupt("an integer is longer than 64 bits"))
    }

    /// After the last value: checks that only zero padding is left in the last byte.
    pub(super) fn finish(&self) -> Result<(), CompactError> {
        let rest = self.remaining();
        if rest >= 8 {
            return Err(CompactError::TrailingBytes { count: rest / 8 });
        }
        let pad = self
            .bytes
            .last()
            .map_or(0, |b| b & ((1u16 << rest) - 1) as u8);
        if rest > 0 && pad != 0 {
            return Err(CompactError::corrupt("the padding bits are not zero"));
        }
        Ok(())
    }
}

/// Maps a signed number to an unsigned one: 0, -1, 1, -2, 2… → 0, 1, 2, 3, 4…
pub(super) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// Inverse of [`zigzag`].
pub(super) fn unzigzag(u: u64) -> i64 {
    ((u >> 1) as i64) ^ -((u & 1) as i64)
}
