//! A small closed-loop load generator: a fixed number of operations shared by a set of workers,
//! each worker with its own state (a browser, a refresh-token chain…), timed per operation.

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
