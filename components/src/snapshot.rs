//! What a snapshot keeps of an analysed file, and the resource that hands a decoded snapshot to
//! the warm-up (docs/snapshot.md). Reading and writing the file is the engine's; restoring the
//! records into the world is `restore_files`'.

use std::collections::HashMap;
use std::sync::Arc;

use bevy_ecs::resource::Resource;

use crate::{
    ContentHash, FileSymbols, FileTotals, FunctionName, FunctionSpan, Language, ParseErrors,
};

/// One function row of a stored file: what `measure_functions` computed for it. Its
/// [`FunctionKey`](crate::FunctionKey) is `(name.qualified, ordinal)` and its
/// [`Loc`](crate::Loc) follows from its lines, as `measure_functions` derives them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFunction {
    pub name: FunctionName,
    /// The ordinal of the function's key among the file's functions of the same qualified name.
    pub ordinal: u32,
    pub span: FunctionSpan,
    pub cyclomatic: u32,
    pub cognitive: u32,
    pub max_nesting: u32,
    pub params: u32,
}

/// One analysed file as a snapshot stores it: everything parsing, measuring and extracting
/// computed from its text, keyed by the hash of that text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFile {
    /// The path relative to the analysis root, `/`-separated ([`FilePath::relative`]).
    ///
    /// [`FilePath::relative`]: crate::FilePath::relative
    pub path: Box<str>,
    pub language: Language,
    pub hash: ContentHash,
    pub totals: FileTotals,
    pub parse_errors: ParseErrors,
    /// In the walk's order (by start byte, a function before those nested in it).
    pub functions: Vec<StoredFunction>,
    /// The graph's input: the file's definitions and references.
    pub symbols: Arc<FileSymbols>,
}

/// A decoded snapshot, present during the warm-up of `codepulse watch`: `restore_files` takes
/// the record of each freshly loaded file whose language and text hash match, instead of
/// having it parsed. The engine removes the resource after the warm-up.
#[derive(Resource, Debug, Default)]
pub struct WarmStart {
    /// The records not restored yet, by relative path.
    pub files: HashMap<Box<str>, StoredFile>,
    /// How many files were restored from it.
    pub restored: u64,
}

impl WarmStart {
    pub fn new(files: impl IntoIterator<Item = StoredFile>) -> WarmStart {
        WarmStart {
            files: files.into_iter().map(|f| (f.path.clone(), f)).collect(),
            restored: 0,
        }
    }
}
