//! Reading and validating `codepulse.toml` (docs/config.md). Every problem is reported, one
//! message each (unknown keys with the nearest valid one, wrong types, negative values, a warn
//! threshold above its error threshold, a ring size that is not a power of two); a file with
//! problems is rejected whole and nothing of it is applied.

use std::path::{Path, PathBuf};

use codepulse_components::{Config, Language, Limits};
use toml::{Table, Value};

/// The file looked for at the workspace root when `--config` is not given.
pub const FILE_NAME: &str = "codepulse.toml";

/// A configuration file that cannot be used: where, and every problem found.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration {}:\n{}", path.display(), problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
pub struct ConfigError {
    pub path: PathBuf,
    pub problems: Vec<String>,
}

/// The configuration for `root`: `explicit` if given (it must exist), else `root/codepulse.toml`
/// if it exists, else the defaults.
pub fn load(
    root: &Path,
    explicit: Option<&Path>,
) -> Result<(Config, Option<PathBuf>), ConfigError> {
    let (path, required) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => (root.join(FILE_NAME), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((Config::default(), None));
        }
        Err(e) => {
            return Err(ConfigError {
                path,
                problems: vec![format!("cannot read it: {e}")],
            });
        }
    };
    match parse(&text) {
        Ok(config) => Ok((config, Some(path))),
        Err(problems) => Err(ConfigError { path, problems }),
    }
}

const TOP_KEYS: &[&str] = &[
    "max_latency_ms",
    "ring_buffer_size",
    "cache_size_mb",
    "thresholds",
    "languages",
];
const THRESHOLD_KEYS: &[&str] = &[
    "cyclomatic_complexity_warn",
    "cyclomatic_complexity_error",
    "cognitive_complexity_warn",
    "cognitive_complexity_error",
    "tdg_warn",
    "tdg_error",
];
const LANGUAGE_KEYS: &[&str] = &["enabled", "complexity_multiplier"];

/// Parses and validates a configuration text. The settings may stand at the top level or, as
/// in the emit-server schema, under `[emit_server]`.
pub fn parse(text: &str) -> Result<Config, Vec<String>> {
    let root: Table = text
        .parse()
        .map_err(|e: toml::de::Error| vec![format!("not valid TOML: {}", e.message())])?;
    let mut problems = Vec::new();
    let table = match root.get("emit_server") {
        Some(Value::Table(inner)) => {
            for key in root.keys().filter(|k| *k != "emit_server") {
                problems.push(unknown(key, "", &["emit_server"]));
            }
            inner.clone()
        }
        Some(other) => {
            problems.push(format!(
                "`emit_server` must be a table, not {}",
                other.type_str()
            ));
            Table::new()
        }
        None => root,
    };
    let mut config = Config::default();
    for (key, value) in &table {
        match key.as_str() {
            "max_latency_ms" => {
                if let Some(v) = number(key, value, &mut problems) {
                    if v <= 0.0 {
                        problems.push(format!("`max_latency_ms` must be positive (got {v})"));
                    } else {
                        config.max_latency_ms = v;
                    }
                }
            }
            "ring_buffer_size" => {
                if let Some(v) = integer(key, value, &mut problems) {
                    if !v.is_power_of_two() || v < 2 {
                        problems.push(format!(
                            "`ring_buffer_size` must be a power of two of at least 2 (got {v})"
                        ));
                    } else if u64::from(v) > codepulse_ring::MAX_CAPACITY {
                        problems.push(format!(
                            "`ring_buffer_size` must be at most {} (got {v})",
                            codepulse_ring::MAX_CAPACITY
                        ));
                    } else {
                        config.ring_buffer_size = v;
                    }
                }
            }
            "cache_size_mb" => {
                if let Some(v) = integer(key, value, &mut problems) {
                    config.cache_size_mb = v;
                }
            }
            "thresholds" => thresholds(value, &mut config, &mut problems),
            "languages" => languages(value, &mut config, &mut problems),
            other => problems.push(unknown(other, "", TOP_KEYS)),
        }
    }
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(problems)
    }
}

fn thresholds(value: &Value, config: &mut Config, problems: &mut Vec<String>) {
    let Some(table) = value.as_table() else {
        problems.push(format!(
            "`thresholds` must be a table, not {}",
            value.type_str()
        ));
        return;
    };
    let t = &mut config.thresholds;
    for (key, value) in table {
        let name = format!("thresholds.{key}");
        match key.as_str() {
            "cyclomatic_complexity_warn" => {
                t.cyclomatic.warn = integer(&name, value, problems).unwrap_or(t.cyclomatic.warn)
            }
            "cyclomatic_complexity_error" => {
                t.cyclomatic.error = integer(&name, value, problems).unwrap_or(t.cyclomatic.error)
            }
            "cognitive_complexity_warn" => {
                t.cognitive.warn = integer(&name, value, problems).unwrap_or(t.cognitive.warn)
            }
            "cognitive_complexity_error" => {
                t.cognitive.error = integer(&name, value, problems).unwrap_or(t.cognitive.error)
            }
            "tdg_warn" | "tdg_error" => {
                if let Some(v) = number(&name, value, problems) {
                    if !(0.0..=3.0).contains(&v) {
                        problems.push(format!(
                            "`{name}` must be between 0.0 and 3.0, the TDG range (got {v})"
                        ));
                    } else if key == "tdg_warn" {
                        t.tdg.warn = v as f32;
                    } else {
                        t.tdg.error = v as f32;
                    }
                }
            }
            other => problems.push(unknown(other, "thresholds.", THRESHOLD_KEYS)),
        }
    }
    let mut ordered = |what: &str, warn: f64, error: f64| {
        if warn > error {
            problems.push(format!(
                "`thresholds.{what}_warn` ({warn}) is above `thresholds.{what}_error` ({error})"
            ));
        }
    };
    let Limits { warn, error } = t.cyclomatic;
    ordered("cyclomatic_complexity", f64::from(warn), f64::from(error));
    let Limits { warn, error } = t.cognitive;
    ordered("cognitive_complexity", f64::from(warn), f64::from(error));
    ordered("tdg", f64::from(t.tdg.warn), f64::from(t.tdg.error));
}

fn languages(value: &Value, config: &mut Config, problems: &mut Vec<String>) {
    let Some(table) = value.as_table() else {
        problems.push(format!(
            "`languages` must be a table, not {}",
            value.type_str()
        ));
        return;
    };
    let names: Vec<&str> = Language::ALL.iter().map(|l| l.name()).collect();
    for (name, value) in table {
        let Some(language) = Language::from_name(name) else {
            problems.push(unknown(name, "languages.", &names));
            continue;
        };
        let Some(settings) = value.as_table() else {
            problems.push(format!(
                "`languages.{name}` must be a table, not {}",
                value.type_str()
            ));
            continue;
        };
        for (key, value) in settings {
            let full = format!("languages.{name}.{key}");
            match key.as_str() {
                "enabled" => match value.as_bool() {
                    Some(b) => config.language_mut(language).enabled = b,
                    None => problems.push(format!(
                        "`{full}` must be true or false, not {}",
                        value.type_str()
                    )),
                },
                "complexity_multiplier" => {
                    if let Some(v) = number(&full, value, problems) {
                        if v <= 0.0 {
                            problems.push(format!("`{full}` must be positive (got {v})"));
                        } else {
                            config.language_mut(language).complexity_multiplier = v;
                        }
                    }
                }
                other => {
                    problems.push(unknown(other, &format!("languages.{name}."), LANGUAGE_KEYS))
                }
            }
        }
    }
}

/// A non-negative integer that fits in u32.
fn integer(name: &str, value: &Value, problems: &mut Vec<String>) -> Option<u32> {
    match value {
        Value::Integer(i) if *i < 0 => {
            problems.push(format!("`{name}` must not be negative (got {i})"))
        }
        Value::Integer(i) => match u32::try_from(*i) {
            Ok(v) => return Some(v),
            Err(_) => problems.push(format!("`{name}` is too large (got {i})")),
        },
        other => problems.push(format!(
            "`{name}` must be a whole number, not {}",
            other.type_str()
        )),
    }
    None
}

/// A non-negative number (integer or float).
fn number(name: &str, value: &Value, problems: &mut Vec<String>) -> Option<f64> {
    let v = match value {
        Value::Integer(i) => *i as f64,
        Value::Float(f) => *f,
        other => {
            problems.push(format!(
                "`{name}` must be a number, not {}",
                other.type_str()
            ));
            return None;
        }
    };
    if v < 0.0 || v.is_nan() {
        problems.push(format!("`{name}` must not be negative (got {v})"));
        return None;
    }
    Some(v)
}

/// "unknown key" with the nearest valid key, when one is close.
fn unknown(key: &str, prefix: &str, valid: &[&str]) -> String {
    let nearest = valid
        .iter()
        .map(|v| (edit_distance(key, v), *v))
        .min()
        .filter(|(d, v)| *d <= (v.len() / 3).max(2));
    match nearest {
        Some((_, v)) => format!("unknown key `{prefix}{key}` (did you mean `{prefix}{v}`?)"),
        None => format!("unknown key `{prefix}{key}` (valid: {})", valid.join(", ")),
    }
}

/// Levenshtein distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_settings() {
        assert_eq!(parse("").expect("empty is fine"), Config::default());
    }

    #[test]
    fn the_emit_server_schema_is_read() {
        let text = r#"
            [emit_server]
            max_latency_ms = 2
            ring_buffer_size = 4096
            cache_size_mb = 32
            [emit_server.thresholds]
            cyclomatic_complexity_warn = 8
            cyclomatic_complexity_error = 16
            cognitive_complexity_warn = 12
            cognitive_complexity_error = 24
            tdg_warn = 1.2
            tdg_error = 1.8
            [emit_server.languages.typescript]
            enabled = true
            complexity_multiplier = 1.2
            [emit_server.languages.java]
            enabled = false
        "#;
        let c = parse(text).expect("valid");
        assert_eq!(c.max_latency_ms, 2.0);
        assert_eq!(c.ring_buffer_size, 4096);
        assert_eq!(c.cache_size_mb, 32);
        assert_eq!(c.thresholds.cyclomatic, Limits { warn: 8, error: 16 });
        assert_eq!(
            c.thresholds.cognitive,
            Limits {
                warn: 12,
                error: 24
            }
        );
        assert_eq!(
            c.thresholds.tdg,
            Limits {
                warn: 1.2,
                error: 1.8
            }
        );
        assert_eq!(c.language(Language::TypeScript).complexity_multiplier, 1.2);
        assert!(!c.language(Language::Java).enabled);
        assert!(c.language(Language::Rust).enabled);
    }

    #[test]
    fn top_level_form_is_read_too() {
        let c = parse("[thresholds]\ncognitive_complexity_warn = 5\n").expect("valid");
        assert_eq!(c.thresholds.cognitive.warn, 5);
    }

    #[test]
    fn every_problem_is_reported_once() {
        let text = r#"
            max_latency_ms = "fast"
            ring_buffer_size = 1000
            cache_size_mb = -1
            cach_size_mb = 3
            [thresholds]
            cyclomatic_complexity_warn = 30
            cyclomatic_complexity_error = 20
            cognitve_complexity_warn = 1
            tdg_error = 7.5
            [languages.rustt]
            enabled = true
            [languages.go]
            enabled = "yes"
            multiplier = 2
        "#;
        let problems = parse(text).expect_err("invalid");
        let expected = [
            "`max_latency_ms` must be a number, not string",
            "`ring_buffer_size` must be a power of two of at least 2 (got 1000)",
            "`cache_size_mb` must not be negative (got -1)",
            "unknown key `cach_size_mb` (did you mean `cache_size_mb`?)",
            "unknown key `thresholds.cognitve_complexity_warn` (did you mean `thresholds.cognitive_complexity_warn`?)",
            "`thresholds.tdg_error` must be between 0.0 and 3.0, the TDG range (got 7.5)",
            "`thresholds.cyclomatic_complexity_warn` (30) is above `thresholds.cyclomatic_complexity_error` (20)",
            "unknown key `languages.rustt` (did you mean `languages.rust`?)",
            "`languages.go.enabled` must be true or false, not string",
            "unknown key `languages.go.multiplier` (valid: enabled, complexity_multiplier)",
        ];
        let mut got = problems.clone();
        got.sort();
        let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn ring_size_is_capped() {
        let problems = parse("ring_buffer_size = 33554432").expect_err("too large");
        assert_eq!(
            problems,
            ["`ring_buffer_size` must be at most 16777216 (got 33554432)"]
        );
    }

    #[test]
    fn not_toml_is_one_problem() {
        let problems = parse("this is = = not toml").expect_err("invalid");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("not valid TOML"), "{problems:?}");
    }
}
