//! The snapshot file format (docs/snapshot.md, byte by byte): a fixed header, the records, and
//! an xxh3-64 checksum of everything before it. Pure: bytes in, records out, no I/O.
//!
//! Decoding never panics and never trusts a length: every read is bounds-checked, every count
//! is checked against the bytes left before anything is allocated for it, and every index and
//! tag is validated. A snapshot is used whole or not at all.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use codepulse_components::{
    ContentHash, DefKind, Definition, FileSymbols, FileTotals, FunctionName, FunctionSpan,
    Language, ParseErrors, RefKind, Reference, StoredFile, StoredFunction, Visibility,
};

/// The first eight bytes of every snapshot.
pub const MAGIC: [u8; 8] = *b"CPLSSNAP";

/// The layout version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Bytes before the variable part of the header: magic, version, fingerprint, settings hash,
/// file count.
const FIXED_HEADER: usize = 8 + 4 + 8 + 8 + 4;

/// Bytes of the trailing checksum.
const CHECKSUM: usize = 8;

/// The least bytes a record of each kind takes, which bounds what a count may claim.
const MIN_FILE: usize = 1 + 1 + 16 + 8 + 1 + 3;
const MIN_FUNCTION: usize = 2 + 10;
const MIN_DEFINITION: usize = 1 + 2 + 1 + 1 + 1 + 1 + 5;
const MIN_REFERENCE: usize = 1 + 1 + 1 + 4;

/// What a snapshot must have been written for to be used: this build's analysis, this root,
/// these settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The analysis fingerprint of the build (`build.rs`: the sources of the components and
    /// the systems, and the grammars' versions).
    pub fingerprint: u64,
    /// [`settings_hash`] of the settings the files were analysed under.
    pub settings: u64,
    /// The codepulse version that wrote it.
    pub version: String,
    /// The canonical analysis root.
    pub root: PathBuf,
}

impl Header {
    /// The header of this build for `root` under `settings_hash`.
    pub fn current(root: &Path, settings_hash: u64) -> Header {
        Header {
            fingerprint: fingerprint(),
            settings: settings_hash,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            root: root.to_path_buf(),
        }
    }
}

/// This build's analysis fingerprint (computed by `build.rs`).
pub fn fingerprint() -> u64 {
    u64::from_str_radix(env!("CODEPULSE_ANALYSIS_FINGERPRINT"), 16)
        .expect("build.rs writes 16 hex digits")
}

/// Why a snapshot was not used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    #[error("cannot read it: {0}")]
    Unreadable(String),
    #[error("truncated: {0} bytes, less than a header")]
    TooShort(usize),
    #[error("not a codepulse snapshot (bad magic)")]
    BadMagic,
    #[error("format version {0}, this build reads version {FORMAT_VERSION}")]
    Version(u32),
    #[error("checksum mismatch: corrupted or truncated")]
    Checksum,
    #[error(
        "written by another build (codepulse {theirs}, analysis {their_fingerprint:016x}; this \
         is {ours}, {our_fingerprint:016x})"
    )]
    Build {
        theirs: String,
        their_fingerprint: u64,
        ours: String,
        our_fingerprint: u64,
    },
    #[error("of another root (`{0}`)")]
    Root(String),
    #[error("written under other settings (languages, size limit or symbolic links)")]
    Settings,
    #[error("malformed at byte {at}: {what}")]
    Malformed { at: usize, what: &'static str },
}

/// Encodes a snapshot of `files` (in their order) under `header`.
pub fn encode(header: &Header, files: &[StoredFile]) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(64 * 1024));
    w.0.extend_from_slice(&MAGIC);
    w.0.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    w.0.extend_from_slice(&header.fingerprint.to_le_bytes());
    w.0.extend_from_slice(&header.settings.to_le_bytes());
    w.0.extend_from_slice(&u32::try_from(files.len()).unwrap_or(u32::MAX).to_le_bytes());
    w.bytes(header.version.as_bytes());
    w.bytes(root_bytes(&header.root));
    for file in files.iter().take(u32::MAX as usize) {
        w.file(file);
    }
    let checksum = xxhash_rust::xxh3::xxh3_64(&w.0);
    w.0.extend_from_slice(&checksum.to_le_bytes());
    w.0
}

/// Decodes a snapshot written for `expected` (its fingerprint, root and settings; the version
/// string is informative). Checks, in order: magic, length, format version, checksum, build,
/// root, settings, then every record.
pub fn decode(bytes: &[u8], expected: &Header) -> Result<Vec<StoredFile>, Rejected> {
    // Another file (not even the start of the magic) is told apart from a truncated one.
    if !bytes.starts_with(&MAGIC) && (bytes.len() >= MAGIC.len() || !MAGIC.starts_with(bytes)) {
        return Err(Rejected::BadMagic);
    }
    if bytes.len() < FIXED_HEADER + CHECKSUM {
        return Err(Rejected::TooShort(bytes.len()));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(Rejected::Version(version));
    }
    let (body, sum) = bytes.split_at(bytes.len() - CHECKSUM);
    let sum = u64::from_le_bytes(sum.try_into().expect("8 bytes"));
    if xxhash_rust::xxh3::xxh3_64(body) != sum {
        return Err(Rejected::Checksum);
    }
    let mut r = Reader {
        bytes: body,
        at: 12,
    };
    let fingerprint = r.u64_le()?;
    let settings = r.u64_le()?;
    let count = r.u32_le()? as usize;
    let version = r.str()?.to_owned();
    let root = r.bytes()?;
    if fingerprint != expected.fingerprint || version != expected.version {
        return Err(Rejected::Build {
            theirs: version,
            their_fingerprint: fingerprint,
            ours: expected.version.clone(),
            our_fingerprint: expected.fingerprint,
        });
    }
    if root != root_bytes(&expected.root) {
        return Err(Rejected::Root(String::from_utf8_lossy(root).into_owned()));
    }
    if settings != expected.settings {
        return Err(Rejected::Settings);
    }
    let count = r.count(count, MIN_FILE)?;
    let mut files = Vec::with_capacity(count);
    let mut seen = std::collections::HashSet::with_capacity(count);
    for _ in 0..count {
        let at = r.at;
        let file = r.file()?;
        if !seen.insert(file.path.clone()) {
            return Err(Rejected::Malformed {
                at,
                what: "a path stored twice",
            });
        }
        files.push(file);
    }
    if r.at != body.len() {
        return Err(r.malformed("bytes after the last record"));
    }
    Ok(files)
}

#[cfg(unix)]
fn root_bytes(root: &Path) -> &[u8] {
    use std::os::unix::ffi::OsStrExt;
    root.as_os_str().as_bytes()
}

#[cfg(not(unix))]
fn root_bytes(root: &Path) -> &[u8] {
    root.to_str().unwrap_or_default().as_bytes()
}

fn language_tag(l: Language) -> u8 {
    Language::ALL.iter().position(|&x| x == l).unwrap_or(0) as u8
}

fn def_kind_tag(k: DefKind) -> u8 {
    DefKind::ALL.iter().position(|&x| x == k).unwrap_or(0) as u8
}

fn ref_kind_tag(k: RefKind) -> u8 {
    RefKind::ALL.iter().position(|&x| x == k).unwrap_or(0) as u8
}

const VISIBILITIES: [Visibility; 3] = [
    Visibility::Exported,
    Visibility::Private,
    Visibility::Unknown,
];

fn visibility_tag(v: Visibility) -> u8 {
    VISIBILITIES.iter().position(|&x| x == v).unwrap_or(0) as u8
}

struct Writer(Vec<u8>);

impl Writer {
    /// Unsigned LEB128: seven bits per byte, low first, the high bit set on all but the last.
    fn uint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    fn usize(&mut self, v: usize) {
        self.uint(v as u64);
    }

    fn bytes(&mut self, b: &[u8]) {
        self.usize(b.len());
        self.0.extend_from_slice(b);
    }

    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.0.push(0),
            Some(s) => {
                self.0.push(1);
                self.str(s);
            }
        }
    }

    /// An optional index: 0 for none, `i + 1` for `i`.
    fn opt_index(&mut self, i: Option<usize>) {
        self.uint(i.map_or(0, |i| i as u64 + 1));
    }

    fn file(&mut self, f: &StoredFile) {
        self.str(&f.path);
        self.0.push(language_tag(f.language));
        self.0.extend_from_slice(&f.hash.0.to_le_bytes());
        let t = &f.totals;
        for v in [
            t.functions,
            t.cyclomatic_sum,
            t.cyclomatic_max,
            t.cognitive_sum,
            t.cognitive_max,
            t.max_nesting,
            t.function_loc_sum,
            t.lines,
        ] {
            self.uint(u64::from(v));
        }
        self.uint(u64::from(f.parse_errors.0));
        self.usize(f.functions.len());
        for function in &f.functions {
            self.function(function);
        }
        self.usize(f.symbols.definitions.len());
        for d in &f.symbols.definitions {
            self.definition(d);
        }
        self.usize(f.symbols.references.len());
        for r in &f.symbols.references {
            self.reference(r);
        }
        self.0.push(u8::from(f.symbols.has_export_list));
    }

    fn function(&mut self, f: &StoredFunction) {
        self.str(&f.name.name);
        self.str(&f.name.qualified);
        self.uint(u64::from(f.ordinal));
        let s = &f.span;
        for v in [s.start_byte, s.end_byte, s.start_line, s.end_line] {
            self.uint(u64::from(v));
        }
        self.uint(u64::from(s.depth));
        for v in [f.cyclomatic, f.cognitive, f.max_nesting, f.params] {
            self.uint(u64::from(v));
        }
    }

    fn definition(&mut self, d: &Definition) {
        self.0.push(def_kind_tag(d.kind));
        self.str(&d.name);
        self.str(&d.qualified_name);
        self.0.push(visibility_tag(d.visibility));
        self.opt_str(d.modifier.as_deref());
        self.str(&d.signature);
        self.usize(d.implements.len());
        for i in &d.implements {
            self.str(i);
        }
        self.usize(d.attributes.len());
        for a in &d.attributes {
            self.str(a);
        }
        self.usize(d.start_byte);
        self.usize(d.end_byte);
        self.uint(u64::from(d.start_line));
        self.uint(u64::from(d.end_line));
        self.opt_index(d.parent);
    }

    fn reference(&mut self, r: &Reference) {
        self.0.push(ref_kind_tag(r.kind));
        self.str(&r.name);
        self.opt_str(r.receiver.as_deref());
        self.opt_str(r.modifier.as_deref());
        self.usize(r.start_byte);
        self.usize(r.end_byte);
        self.uint(u64::from(r.line));
        self.opt_index(r.enclosing);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

type Read<T> = Result<T, Rejected>;

impl<'a> Reader<'a> {
    fn malformed(&self, what: &'static str) -> Rejected {
        Rejected::Malformed { at: self.at, what }
    }

    fn take(&mut self, n: usize) -> Read<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| self.malformed("a length past the end"))?;
        let b = &self.bytes[self.at..end];
        self.at = end;
        Ok(b)
    }

    fn u8(&mut self) -> Read<u8> {
        Ok(self.take(1)?[0])
    }

    fn u32_le(&mut self) -> Read<u32> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    fn u64_le(&mut self) -> Read<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    fn u128_le(&mut self) -> Read<u128> {
        Ok(u128::from_le_bytes(
            self.take(16)?.try_into().expect("16 bytes"),
        ))
    }

    /// Unsigned LEB128 of at most ten bytes that fits 64 bits.
    fn uint(&mut self) -> Read<u64> {
        let mut v = 0u64;
        for i in 0..10 {
            let b = self.u8()?;
            let bits = u64::from(b & 0x7f);
            if i == 9 && bits > 1 {
                return Err(self.malformed("an integer over 64 bits"));
            }
            v |= bits << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.malformed("an integer over 64 bits"))
    }

    fn u32(&mut self) -> Read<u32> {
        let v = self.uint()?;
        u32::try_from(v).map_err(|_| self.malformed("an integer over 32 bits"))
    }

    fn u16(&mut self) -> Read<u16> {
        let v = self.uint()?;
        u16::try_from(v).map_err(|_| self.malformed("an integer over 16 bits"))
    }

    fn usize(&mut self) -> Read<usize> {
        let v = self.uint()?;
        usize::try_from(v).map_err(|_| self.malformed("an integer over the address size"))
    }

    /// A count of elements of at least `min` bytes each, which the bytes left must hold.
    fn count(&self, n: usize, min: usize) -> Read<usize> {
        let left = self.bytes.len() - self.at;
        if n > left / min.max(1) {
            return Err(self.malformed("a count larger than the bytes left"));
        }
        Ok(n)
    }

    fn counted(&mut self, min: usize) -> Read<usize> {
        let n = self.usize()?;
        self.count(n, min)
    }

    fn bytes(&mut self) -> Read<&'a [u8]> {
        let n = self.usize()?;
        self.take(n)
    }

    fn str(&mut self) -> Read<&'a str> {
        let at = self.at;
        let b = self.bytes()?;
        std::str::from_utf8(b).map_err(|_| Rejected::Malformed {
            at,
            what: "a string that is not UTF-8",
        })
    }

    fn opt_str(&mut self) -> Read<Option<&'a str>> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.str().map(Some),
            _ => Err(self.malformed("an option tag other than 0 or 1")),
        }
    }

    /// An optional index below `limit`.
    fn opt_index(&mut self, limit: usize) -> Read<Option<usize>> {
        match self.usize()? {
            0 => Ok(None),
            i if i - 1 < limit => Ok(Some(i - 1)),
            _ => Err(self.malformed("an index out of range")),
        }
    }

    fn tag<T: Copy>(&mut self, all: &[T], what: &'static str) -> Read<T> {
        let t = self.u8()? as usize;
        all.get(t).copied().ok_or_else(|| self.malformed(what))
    }

    fn file(&mut self) -> Read<StoredFile> {
        let path: Box<str> = self.str()?.into();
        let language = self.tag(&Language::ALL, "an unknown language")?;
        let hash = ContentHash(self.u128_le()?);
        // Fields are read in the order they are written (a struct expression evaluates its
        // fields in source order).
        let totals = FileTotals {
            functions: self.u32()?,
            cyclomatic_sum: self.u32()?,
            cyclomatic_max: self.u32()?,
            cognitive_sum: self.u32()?,
            cognitive_max: self.u32()?,
            max_nesting: self.u32()?,
            function_loc_sum: self.u32()?,
            lines: self.u32()?,
        };
        let parse_errors = ParseErrors(self.u32()?);
        let n = self.counted(MIN_FUNCTION)?;
        let mut rows = Vec::with_capacity(n);
        for _ in 0..n {
            rows.push(self.function()?);
        }
        let n = self.counted(MIN_DEFINITION)?;
        let mut definitions = Vec::with_capacity(n);
        for i in 0..n {
            definitions.push(self.definition(i)?);
        }
        let n = self.counted(MIN_REFERENCE)?;
        let mut references = Vec::with_capacity(n);
        for _ in 0..n {
            references.push(self.reference(definitions.len())?);
        }
        let has_export_list = match self.u8()? {
            0 => false,
            1 => true,
            _ => return Err(self.malformed("an export-list flag other than 0 or 1")),
        };
        Ok(StoredFile {
            path,
            language,
            hash,
            totals,
            parse_errors,
            functions: rows,
            symbols: Arc::new(FileSymbols {
                definitions,
                references,
                has_export_list,
            }),
        })
    }

    fn function(&mut self) -> Read<StoredFunction> {
        let name: Box<str> = self.str()?.into();
        let qualified: Box<str> = self.str()?.into();
        let ordinal = self.u32()?;
        let span = FunctionSpan {
            start_byte: self.u32()?,
            end_byte: self.u32()?,
            start_line: self.u32()?,
            end_line: self.u32()?,
            depth: self.u16()?,
        };
        if span.start_byte > span.end_byte || span.start_line > span.end_line {
            return Err(self.malformed("a function span that ends before it starts"));
        }
        Ok(StoredFunction {
            name: FunctionName { name, qualified },
            ordinal,
            span,
            cyclomatic: self.u32()?,
            cognitive: self.u32()?,
            max_nesting: self.u32()?,
            params: self.u32()?,
        })
    }

    /// The definition at `index`: its parent comes before it.
    fn definition(&mut self, index: usize) -> Read<Definition> {
        let kind = self.tag(&DefKind::ALL, "an unknown definition kind")?;
        let name = self.str()?.to_owned();
        let qualified_name = self.str()?.to_owned();
        let visibility = self.tag(&VISIBILITIES, "an unknown visibility")?;
        let modifier = self.opt_str()?.map(str::to_owned);
        let signature = self.str()?.to_owned();
        let n = self.counted(1)?;
        let mut implements = Vec::with_capacity(n);
        for _ in 0..n {
            implements.push(self.str()?.to_owned());
        }
        let n = self.counted(1)?;
        let mut attributes = Vec::with_capacity(n);
        for _ in 0..n {
            attributes.push(self.str()?.to_owned());
        }
        let start_byte = self.usize()?;
        let end_byte = self.usize()?;
        let start_line = self.u32()?;
        let end_line = self.u32()?;
        if start_byte > end_byte || start_line > end_line {
            return Err(self.malformed("a definition span that ends before it starts"));
        }
        let parent = self.opt_index(index)?;
        Ok(Definition {
            kind,
            name,
            qualified_name,
            visibility,
            modifier,
            signature,
            implements,
            attributes,
            start_byte,
            end_byte,
            start_line,
            end_line,
            parent,
        })
    }

    /// A reference of a file with `definitions` definitions.
    fn reference(&mut self, definitions: usize) -> Read<Reference> {
        let kind = self.tag(&RefKind::ALL, "an unknown reference kind")?;
        let name = self.str()?.to_owned();
        let receiver = self.opt_str()?.map(str::to_owned);
        let modifier = self.opt_str()?.map(str::to_owned);
        let start_byte = self.usize()?;
        let end_byte = self.usize()?;
        if start_byte > end_byte {
            return Err(self.malformed("a reference span that ends before it starts"));
        }
        let line = self.u32()?;
        let enclosing = self.opt_index(definitions)?;
        Ok(Reference {
            kind,
            name,
            receiver,
            modifier,
            start_byte,
            end_byte,
            line,
            enclosing,
        })
    }
}
