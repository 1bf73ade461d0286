use std::fmt;
use std::path::Path;

/// A language codepulse measures. The name (see [`Language::name`]) is the wire name used in
/// JSON output and configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    Rust,
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    C,
    Cpp,
    Go,
    Java,
}

impl Language {
    /// Every language, in a fixed order.
    pub const ALL: [Language; 9] = [
        Language::Rust,
        Language::Python,
        Language::JavaScript,
        Language::TypeScript,
        Language::Tsx,
        Language::C,
        Language::Cpp,
        Language::Go,
        Language::Java,
    ];

    /// The wire name: `rust|python|javascript|typescript|tsx|c|cpp|go|java`.
    pub fn name(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Tsx => "tsx",
            Language::C => "c",
            Language::Cpp => "cpp",
            Language::Go => "go",
            Language::Java => "java",
        }
    }

    /// Parses a wire name back.
    pub fn from_name(name: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.name() == name)
    }

    /// The file-name extensions (without the dot) that belong to this language.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Language::Rust => &["rs"],
            Language::Python => &["py", "pyi"],
            Language::JavaScript => &["js", "jsx", "mjs", "cjs"],
            Language::TypeScript => &["ts", "mts", "cts"],
            Language::Tsx => &["tsx"],
            Language::C => &["c", "h"],
            Language::Cpp => &[
                "cc", "cpp", "cxx", "c++", "hh", "hpp", "hxx", "h++", "ipp", "tpp",
            ],
            Language::Go => &["go"],
            Language::Java => &["java"],
        }
    }

    /// The language of a path, from its extension; `None` for files codepulse does not measure.
    /// TypeScript declaration files (`.d.ts`) hold no function bodies and are not measured.
    pub fn from_path(path: &Path) -> Option<Language> {
        let name = path.file_name()?.to_str()?;
        if name.ends_with(".d.ts") || name.ends_with(".d.mts") || name.ends_with(".d.cts") {
            return None;
        }
        let ext = path.extension()?.to_str()?;
        Language::ALL
            .into_iter()
            .find(|l| l.extensions().iter().any(|e| e.eq_ignore_ascii_case(ext)))
    }

    /// The separator of qualified names: `::` for Rust and C++, `.` elsewhere.
    pub fn path_separator(self) -> &'static str {
        match self {
            Language::Rust | Language::Cpp => "::",
            _ => ".",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_from_paths() {
        let cases = [
            ("a/b.rs", Some(Language::Rust)),
            ("x.py", Some(Language::Python)),
            ("x.jsx", Some(Language::JavaScript)),
            ("x.ts", Some(Language::TypeScript)),
            ("x.d.ts", None),
            ("x.tsx", Some(Language::Tsx)),
            ("x.h", Some(Language::C)),
            ("x.hpp", Some(Language::Cpp)),
            ("x.go", Some(Language::Go)),
            ("X.java", Some(Language::Java)),
            ("README.md", None),
            ("Makefile", None),
        ];
        for (path, want) in cases {
            assert_eq!(Language::from_path(Path::new(path)), want, "{path}");
        }
        for l in Language::ALL {
            assert_eq!(Language::from_name(l.name()), Some(l));
        }
    }
}
