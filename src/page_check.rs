//! A look at every page header of a Parquet column chunk before Polars
//! decodes it. Polars trusts a page's value count: a corrupt (negative) one
//! makes it ask for exabytes and abort the process, which no error handling
//! can catch. Only the header fields that matter are read (Thrift compact
//! protocol); everything else is skipped.

use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;

/// The first bytes read at a page; more when its header is longer.
const FIRST_READ: u64 = 512;
/// Thrift structs nest a few levels in a page header; deeper is corrupt.
const MAX_DEPTH: u32 = 16;

/// Walk the pages of one column chunk (`range`, headers included): every
/// header must parse, with sizes and value counts that are not negative and
/// a page that ends inside the chunk.
pub fn check_chunk(file: &mut (impl Read + Seek), range: Range<u64>) -> Result<(), String> {
    let mut at = range.start;
    while at < range.end {
        let header = read_header(file, at, range.end)?;
        let end = at
            .checked_add(header.len)
            .and_then(|a| a.checked_add(header.body))
            .filter(|&e| e <= range.end)
            .ok_or_else(|| format!("page at byte {at} runs past its column chunk"))?;
        at = end;
    }
    Ok(())
}

struct PageHeader {
    /// Bytes of the header itself.
    len: u64,
    /// Bytes of the page after it.
    body: u64,
}

fn read_header(
    file: &mut (impl Read + Seek),
    at: u64,
    chunk_end: u64,
) -> Result<PageHeader, String> {
    let mut want = FIRST_READ.min(chunk_end - at);
    loop {
        let mut buf = Vec::new();
        file.seek(SeekFrom::Start(at))
            .and_then(|_| file.by_ref().take(want).read_to_end(&mut buf))
            .map_err(|e| format!("cannot read the page at byte {at}: {e}"))?;
        match parse_header(&buf) {
            Ok(header) => return Ok(header),
            // The header may be longer than what was read: read more.
            Err(Short) if want < chunk_end - at && buf.len() as u64 == want => {
                want = want.saturating_mul(4).min(chunk_end - at);
            }
            Err(Short) => return Err(format!("page header at byte {at} is cut off")),
            Err(Bad(why)) => return Err(format!("page header at byte {at}: {why}")),
        }
    }
}

enum ParseError {
    /// The bytes ended inside the header.
    Short,
    Bad(String),
}
use ParseError::{Bad, Short};

fn parse_header(bytes: &[u8]) -> Result<PageHeader, ParseError> {
    let mut c = Compact { bytes, at: 0 };
    let mut body = None;
    c.read_struct(0, &mut |c, id, ty| match (id, ty) {
        // compressed_page_size, uncompressed_page_size
        (2 | 3, 5) => {
            let size = c.zigzag()?;
            if size < 0 {
                return Err(Bad(format!("negative page size {size}")));
            }
            if id == 3 {
                body = Some(size as u64);
            }
            Ok(())
        }
        // data_page_header, dictionary_page_header, data_page_header_v2:
        // their counts (num_values; v2 also num_nulls and num_rows).
        (5 | 7 | 8, 12) => c.read_struct(1, &mut |c, id, ty| match (id, ty) {
            (1..=3, 5) => match c.zigzag()? {
                n if n < 0 => Err(Bad(format!("negative value count {n}"))),
                _ => Ok(()),
            },
            _ => c.skip(ty, 2),
        }),
        _ => c.skip(ty, 1),
    })?;
    let body = body.ok_or_else(|| Bad("no compressed_page_size".into()))?;
    Ok(PageHeader {
        len: c.at as u64,
        body,
    })
}

/// A reader of the Thrift compact protocol over a byte slice.
struct Compact<'a> {
    bytes: &'a [u8],
    at: usize,
}

type Field<'f, 'a> = dyn FnMut(&mut Compact<'a>, i16, u8) -> Result<(), ParseError> + 'f;

impl<'a> Compact<'a> {
    fn byte(&mut self) -> Result<u8, ParseError> {
        let b = *self.bytes.get(self.at).ok_or(Short)?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, ParseError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Bad("varint longer than 10 bytes".into()))
    }

    fn zigzag(&mut self) -> Result<i64, ParseError> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn advance(&mut self, n: u64) -> Result<(), ParseError> {
        let n = usize::try_from(n).map_err(|_| Short)?;
        let end = self.at.checked_add(n).ok_or(Short)?;
        if end > self.bytes.len() {
            return Err(Short);
        }
        self.at = end;
        Ok(())
    }

    /// The fields of a struct, each handed to `field` with its id and type,
    /// up to the stop byte.
    fn read_struct(&mut self, depth: u32, field: &mut Field<'_, 'a>) -> Result<(), ParseError> {
        if depth > MAX_DEPTH {
            return Err(Bad("structs nested too deep".into()));
        }
        let mut last_id: i16 = 0;
        loop {
            let header = self.byte()?;
            if header == 0 {
                return Ok(());
            }
            let delta = header >> 4;
            let id = if delta == 0 {
                i16::try_from(self.zigzag()?).map_err(|_| Bad("field id out of range".into()))?
            } else {
                last_id.saturating_add(i16::from(delta))
            };
            last_id = id;
            field(self, id, header & 0x0f)?;
        }
    }

    /// Skip one element of a list, set or map: booleans there take a byte
    /// each (so a corrupt count ends at the end of the bytes).
    fn skip_element(&mut self, ty: u8, depth: u32) -> Result<(), ParseError> {
        match ty {
            1 | 2 => self.advance(1),
            _ => self.skip(ty, depth + 1),
        }
    }

    /// Skip one value of compact type `ty`.
    fn skip(&mut self, ty: u8, depth: u32) -> Result<(), ParseError> {
        if depth > MAX_DEPTH {
            return Err(Bad("structs nested too deep".into()));
        }
        match ty {
            // bool (its value is in the type), byte, integers, double
            1 | 2 => Ok(()),
            3 => self.advance(1),
            4..=6 => self.varint().map(|_| ()),
            7 => self.advance(8),
            // binary: a length, then the bytes
            8 => {
                let n = self.varint()?;
                self.advance(n)
            }
            // list, set: size and element type, then the elements
            9 | 10 => {
                let header = self.byte()?;
                let n = match header >> 4 {
                    15 => self.varint()?,
                    n => u64::from(n),
                };
                for _ in 0..n {
                    self.skip_element(header & 0x0f, depth)?;
                }
                Ok(())
            }
            // map: size, key and value types, then the pairs
            11 => {
                let n = self.varint()?;
                if n == 0 {
                    return Ok(());
                }
                let types = self.byte()?;
                for _ in 0..n {
                    self.skip_element(types >> 4, depth)?;
                    self.skip_element(types & 0x0f, depth)?;
                }
                Ok(())
            }
            12 => self.read_struct(depth + 1, &mut |c, _, ty| c.skip(ty, depth + 1)),
            _ => Err(Bad(format!("unknown field type {ty}"))),
        }
    }
}
