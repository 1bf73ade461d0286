//! The engine's configuration as data (`codepulse.toml`, docs/config.md): limits, thresholds and
//! per-language switches. Reading and validating the file is the engine's job; this is only
//! what the systems see, as a resource.

use bevy_ecs::resource::Resource;

use crate::{Language, Severity};

/// A warning and an error threshold: a value **above** `warn` is a warning, above `error` an
/// error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits<T> {
    pub warn: T,
    pub error: T,
}

impl<T: PartialOrd + Copy> Limits<T> {
    /// The severity of `value` under these limits.
    pub fn severity(&self, value: T) -> Severity {
        if value > self.error {
            Severity::Error
        } else if value > self.warn {
            Severity::Warning
        } else {
            Severity::Ok
        }
    }
}

/// The thresholds of the gate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    pub cyclomatic: Limits<u32>,
    pub cognitive: Limits<u32>,
    pub tdg: Limits<f32>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            cyclomatic: Limits {
                warn: 10,
                error: 20,
            },
            cognitive: Limits {
                warn: 15,
                error: 30,
            },
            tdg: Limits {
                warn: 1.5,
                error: 2.0,
            },
        }
    }
}

/// Per-language settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LanguageConfig {
    /// Files of a disabled language are not analysed.
    pub enabled: bool,
    /// Scales the cyclomatic and cognitive thresholds for this language (1.2: 20% more lenient).
    pub complexity_multiplier: f64,
}

impl Default for LanguageConfig {
    fn default() -> Self {
        LanguageConfig {
            enabled: true,
            complexity_multiplier: 1.0,
        }
    }
}

/// The whole configuration. [`Config::default`] is what applies without a file.
#[derive(Resource, Clone, Debug, PartialEq)]
pub struct Config {
    /// The edit-to-emit latency budget the live engine aims for (milliseconds).
    pub max_latency_ms: f64,
    /// Slots of the payload ring (a power of two).
    pub ring_buffer_size: u32,
    /// Budget for cached sources and syntax trees (MiB).
    pub cache_size_mb: u32,
    pub thresholds: Thresholds,
    /// Indexed like [`Language::ALL`].
    pub languages: [LanguageConfig; 9],
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_latency_ms: 5.0,
            ring_buffer_size: 1024,
            cache_size_mb: 64,
            thresholds: Thresholds::default(),
            languages: [LanguageConfig::default(); 9],
        }
    }
}

impl Config {
    pub fn language(&self, language: Language) -> &LanguageConfig {
        &self.languages[language_index(language)]
    }

    pub fn language_mut(&mut self, language: Language) -> &mut LanguageConfig {
        &mut self.languages[language_index(language)]
    }

    /// The severity of a function with these metrics (`tdg` when scored) in `language`: the
    /// worst of its three metrics (see [`Config::metric_severities`]).
    pub fn severity(
        &self,
        language: Language,
        cyclomatic: u32,
        cognitive: u32,
        tdg: Option<f32>,
    ) -> Severity {
        let [cyc, cog, tdg] = self.metric_severities(language, cyclomatic, cognitive, tdg);
        cyc.max(cog).max(tdg)
    }

    /// The severity of each metric, `[cyclomatic, cognitive, tdg]`: the complexity thresholds are
    /// scaled by the language's multiplier; an unscored TDG is ok.
    pub fn metric_severities(
        &self,
        language: Language,
        cyclomatic: u32,
        cognitive: u32,
        tdg: Option<f32>,
    ) -> [Severity; 3] {
        let m = self.language(language).complexity_multiplier;
        let scaled = |l: Limits<u32>| Limits {
            warn: f64::from(l.warn) * m,
            error: f64::from(l.error) * m,
        };
        let t = &self.thresholds;
        [
            scaled(t.cyclomatic).severity(f64::from(cyclomatic)),
            scaled(t.cognitive).severity(f64::from(cognitive)),
            tdg.map_or(Severity::Ok, |v| t.tdg.severity(v)),
        ]
    }
}

/// The position of a language in [`Language::ALL`] (also its wire code).
pub fn language_index(language: Language) -> usize {
    Language::ALL
        .iter()
        .position(|l| *l == language)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_is_the_worst_metric_above_its_threshold() {
        let c = Config::default();
        let cases = [
            (10, 15, None, Severity::Ok),
            (11, 0, None, Severity::Warning),
            (0, 16, None, Severity::Warning),
            (21, 0, None, Severity::Error),
            (0, 31, None, Severity::Error),
            (1, 1, Some(1.6), Severity::Warning),
            (1, 1, Some(2.5), Severity::Error),
            (11, 31, Some(0.0), Severity::Error),
        ];
        for (cyc, cog, tdg, want) in cases {
            assert_eq!(
                c.severity(Language::Rust, cyc, cog, tdg),
                want,
                "{cyc} {cog} {tdg:?}"
            );
        }
    }

    #[test]
    fn multiplier_scales_complexity_thresholds_only() {
        let mut c = Config::default();
        c.language_mut(Language::TypeScript).complexity_multiplier = 1.2;
        assert_eq!(c.severity(Language::TypeScript, 12, 0, None), Severity::Ok);
        assert_eq!(
            c.severity(Language::TypeScript, 13, 0, None),
            Severity::Warning
        );
        assert_eq!(c.severity(Language::Rust, 12, 0, None), Severity::Warning);
        assert_eq!(
            c.severity(Language::TypeScript, 0, 0, Some(1.6)),
            Severity::Warning
        );
    }
}
