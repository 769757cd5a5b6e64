//! CPU time of this process and of the peer's, from `/proc/<pid>/stat` (Linux): a point's CPU
//! milliseconds per operation do not depend on what else the machine runs, where its
//! throughput does.

/// Clock ticks per second of `utime` and `stime` (`USER_HZ`, 100 on Linux for x86-64 and arm64).
const TICKS_PER_SECOND: f64 = 100.0;

/// User + system CPU seconds of a process (`None`: this one) so far; `None` where unreadable.
fn seconds(pid: Option<u32>) -> Option<f64> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/self/stat".to_string(),
    };
    let stat = std::fs::read_to_string(path).ok()?;
    // The command name is in parentheses and may hold spaces: count fields after the last `)`.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    // Fields 14 (utime) and 15 (stime) of proc(5); the state, field 3, is the first here.
    Some((ticks(11)? + ticks(12)?) / TICKS_PER_SECOND)
}

/// CPU milliseconds per operation over a run, of this process and of the peer's.
#[derive(Debug, Clone, Copy, Default)]
pub struct PerOperation {
    pub bench: f64,
    pub peer: f64,
}

/// CPU readings taken before a run.
pub struct Meter {
    peer_pid: Option<u32>,
    bench: Option<f64>,
    peer: Option<f64>,
}

impl Meter {
    pub fn start(peer_pid: Option<u32>) -> Self {
        Self {
            peer_pid,
            bench: seconds(None),
            peer: peer_pid.and_then(|pid| seconds(Some(pid))),
        }
    }

    /// The CPU used since `start`, per operation; `None` where `/proc` could not be read.
    /// Warm-ups are included (one operation per client).
    pub fn per_operation(&self, operations: usize) -> Option<PerOperation> {
        let ms = |before: Option<f64>, after: Option<f64>| {
            Some((after? - before?) * 1000.0 / operations.max(1) as f64)
        };
        Some(PerOperation {
            bench: ms(self.bench, seconds(None))?,
            peer: match self.peer_pid {
                Some(pid) => ms(self.peer, seconds(Some(pid)))?,
                None => 0.0,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_used_some_cpu() {
        let busy: u64 = (0..2_000_000u64).map(std::hint::black_box).sum();
        assert!(busy > 0);
        assert!(seconds(None).is_some_and(|s| s >= 0.0));
    }
}
