//! CPU time and memory of a process, from /proc.

use std::time::Instant;

/// utime + stime of `pid` (all its threads), in seconds. `None` if the process is gone.
pub fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat_ticks(&stat).map(|t| t as f64 / rustix::param::clock_ticks_per_second() as f64)
}

/// utime + stime in clock ticks from the text of /proc/PID/stat (fields 14 and 15; the
/// command name, field 2, may hold spaces and parentheses, so fields are counted after the
/// last `)`).
pub fn parse_stat_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_ascii_whitespace();
    // After `)`: field 3 (state) is index 0, so utime (14) is index 11 and stime (15) 12.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// A `Vm*` line of /proc/PID/status, in bytes (`VmRSS`, `VmHWM`).
pub fn status_bytes(pid: &str, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_status_kb(&status, key).map(|kb| kb * 1024)
}

pub fn parse_status_kb(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|l| {
        let v = l.strip_prefix(key)?.strip_prefix(':')?;
        v.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

/// CPU seconds of a process at an instant, to take a CPU share over a window.
#[derive(Clone, Copy, Debug)]
pub struct CpuMark {
    at: Instant,
    cpu: Option<f64>,
}

impl CpuMark {
    pub fn now(pid: &str) -> CpuMark {
        CpuMark {
            at: Instant::now(),
            cpu: cpu_seconds(pid),
        }
    }

    /// CPU used between `self` and `later` as a percentage of one core (200 = two cores busy),
    /// and the wall seconds between them.
    pub fn percent_until(&self, later: &CpuMark) -> (Option<f64>, f64) {
        let wall = later.at.duration_since(self.at).as_secs_f64();
        let pct = match (self.cpu, later.cpu) {
            (Some(a), Some(b)) if wall > 0.0 => Some(100.0 * (b - a) / wall),
            _ => None,
        };
        (pct, wall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_and_status() {
        let stat = "1234 (code pulse) (x)) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 3 0 100 1000 200 18446744073709551615";
        assert_eq!(parse_stat_ticks(stat), Some(325));
        let status = "Name:\tcodepulse\nVmHWM:\t   65536 kB\nVmRSS:\t   30000 kB\n";
        assert_eq!(parse_status_kb(status, "VmHWM"), Some(65536));
        assert_eq!(parse_status_kb(status, "VmRSS"), Some(30000));
        assert_eq!(parse_status_kb(status, "VmSwap"), None);
        assert!(cpu_seconds("self").is_some());
        assert!(status_bytes("self", "VmRSS").unwrap() > 0);
    }
}
