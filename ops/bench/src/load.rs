//! A small closed-loop load generator: a set of workers, each with its own state (a browser, a
//! refresh-token chain…), sharing a fixed number of operations (`run`) or running for a fixed
//! time (`run_for`), timed per operation.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Barrier;

/// Throughput and latency of one measured run.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    pub per_sec: f64,
    pub p50: Duration,
    pub p99: Duration,
}

impl Rate {
    /// A rate from a count, the wall-clock time it took and every operation's latency.
    pub fn of(count: usize, elapsed: Duration, mut latencies: Vec<Duration>) -> Self {
        latencies.sort_unstable();
        let at = |q: f64| {
            let i = ((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1);
            latencies.get(i).copied().unwrap_or_default()
        };
        Self {
            per_sec: count as f64 / elapsed.as_secs_f64(),
            p50: at(0.50),
            p99: at(0.99),
        }
    }
}

/// Runs `count` operations over the workers (one task each; a worker takes the next operation
/// when its previous one finishes). Each worker first runs one untimed warm-up operation
/// (connections opened, keys loaded); the clock starts when all of them have.
///
/// An operation takes its worker's state and hands it back, so a worker can carry what the next
/// operation needs (a rotated refresh token).
pub async fn run<S, F, Fut>(workers: Vec<S>, count: usize, op: F) -> anyhow::Result<Rate>
where
    S: Send + 'static,
    F: Fn(S) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<S>> + Send,
{
    let op = Arc::new(op);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(workers.len() + 1));
    let mut tasks = Vec::new();
    for state in workers {
        let (op, next, start) = (op.clone(), next.clone(), start.clone());
        tasks.push(tokio::spawn(async move {
            let warmed = op(state).await;
            start.wait().await;
            let mut state = warmed?;
            let mut latencies = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < count {
                let began = Instant::now();
                state = op(state).await?;
                latencies.push(began.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    start.wait().await;
    let began = Instant::now();
    let mut latencies = Vec::with_capacity(count);
    for task in tasks {
        latencies.extend(task.await??);
    }
    Ok(Rate::of(count, began.elapsed(), latencies))
}

/// What `run_for` measured: the rate in its window, and every operation run (warm-up and
/// window), for the CPU per operation.
pub struct Timed {
    pub rate: Rate,
    pub operations: usize,
}

/// Runs the operation over the workers (one task each, a worker taking the next operation when
/// its previous one is answered) for `warm_up` and then `window`, as wrk does: the rate is the
/// operations answered within the window over its length, and the latencies are theirs. The
/// load does not pause between warm-up and window, and the warm-up lets every connection, pool
/// and cache reach its steady state first (a few hundred operations do not).
pub async fn run_for<S, F, Fut>(
    workers: Vec<S>,
    warm_up: Duration,
    window: Duration,
    op: F,
) -> anyhow::Result<Timed>
where
    S: Send + 'static,
    F: Fn(S) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<S>> + Send,
{
    let op = Arc::new(op);
    let opens = Instant::now() + warm_up;
    let closes = opens + window;
    let mut tasks = Vec::new();
    for state in workers {
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let mut state = state;
            let (mut latencies, mut operations) = (Vec::new(), 0);
            loop {
                let began = Instant::now();
                if began >= closes {
                    break;
                }
                state = op(state).await?;
                operations += 1;
                let ended = Instant::now();
                if began >= opens && ended <= closes {
                    latencies.push(ended - began);
                }
            }
            anyhow::Ok((latencies, operations))
        }));
    }
    let (mut latencies, mut operations) = (Vec::new(), 0);
    for task in tasks {
        let (mine, count) = task.await??;
        latencies.extend(mine);
        operations += count;
    }
    Ok(Timed {
        rate: Rate::of(latencies.len(), window, latencies),
        operations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_taken_from_the_sorted_latencies() {
        let latencies = (1..=100).rev().map(Duration::from_millis).collect();
        let rate = Rate::of(100, Duration::from_secs(2), latencies);
        assert_eq!(rate.per_sec, 50.0);
        assert_eq!(rate.p50, Duration::from_millis(50));
        assert_eq!(rate.p99, Duration::from_millis(99));
    }

    #[tokio::test]
    async fn a_timed_run_counts_the_operations_answered_in_its_window() {
        let op = |()| async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            Ok(())
        };
        let (warm_up, window) = (Duration::from_millis(100), Duration::from_millis(300));
        let timed = run_for(vec![(); 4], warm_up, window, op).await.unwrap();
        // 4 workers, 10 ms each: about 400/s; the window holds about 120 of the 160 operations.
        assert!(timed.rate.per_sec > 200.0 && timed.rate.per_sec < 450.0);
        assert!(timed.operations > (timed.rate.per_sec * 0.3) as usize);
        assert!(timed.rate.p50 >= Duration::from_millis(10));
    }

    #[tokio::test]
    async fn every_operation_runs_once_across_the_workers() {
        let done = Arc::new(AtomicUsize::new(0));
        let counter = done.clone();
        let rate = run(vec![(); 8], 100, move |()| {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
        })
        .await
        .unwrap();
        assert!(rate.per_sec > 0.0);
        assert_eq!(
            done.load(Ordering::Relaxed),
            100 + 8,
            "plus one warm-up each"
        );
    }
}
