//! The bounded pool that hashes and checks passwords (DESIGN.md "Running in production", Abuse):
//! a fixed set of threads, each reusing its argon2 memory, and a bounded queue; a check that
//! finds the queue full is refused at once (`Overloaded`, answered 503 with `Retry-After`), so
//! memory stays bounded whatever the number of concurrent sign-ins.

use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce() + Send>;

/// The pool is full: every thread is busy and the queue holds as many checks as it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("password checks are at capacity")]
pub struct Overloaded;

/// The password-hashing threads and their queue. The threads end when the pool is dropped.
pub struct PasswordPool {
    sender: SyncSender<Job>,
}

impl PasswordPool {
    pub fn new(threads: usize, queue: usize) -> Self {
        let (sender, receiver) = sync_channel::<Job>(queue);
        let receiver = Arc::new(Mutex::new(receiver));
        for index in 0..threads.max(1) {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("idaas-password-{index}"))
                .spawn(move || loop {
                    let job = {
                        let receiver = receiver.lock().unwrap_or_else(|e| e.into_inner());
                        match receiver.recv() {
                            Ok(job) => job,
                            Err(_) => return,
                        }
                    };
                    job();
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "starting a password-hashing thread");
            }
        }
        Self { sender }
    }

    /// Runs `work` on the pool and waits for its result; refused at once when the queue is full.
    pub async fn run<R: Send + 'static>(
        &self,
        work: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, Overloaded> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            metrics::gauge!("idaas_password_checks_waiting").decrement(1.0);
            metrics::gauge!("idaas_password_checks_running").increment(1.0);
            let _ = done.send(work());
            metrics::gauge!("idaas_password_checks_running").decrement(1.0);
        });
        metrics::gauge!("idaas_password_checks_waiting").increment(1.0);
        let sent = self.sender.try_send(job);
        if sent.is_err() {
            metrics::gauge!("idaas_password_checks_waiting").decrement(1.0);
        }
        match sent {
            Ok(()) => result.await.map_err(|_| Overloaded),
            Err(TrySendError::Full(_)) => {
                tracing::warn!("password checks at capacity: a sign-in was answered busy");
                metrics::counter!("idaas_password_checks_refused_total").increment(1);
                Err(Overloaded)
            }
            Err(TrySendError::Disconnected(_)) => Err(Overloaded),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn past_the_threads_and_the_queue_work_is_refused_at_once() {
        let pool = Arc::new(PasswordPool::new(1, 1));
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let gate = Arc::new(Mutex::new(gate));
        let running = Arc::new(AtomicUsize::new(0));
        let mut waiting = Vec::new();
        for _ in 0..2 {
            let (pool, gate, running) = (pool.clone(), gate.clone(), running.clone());
            waiting.push(tokio::spawn(async move {
                pool.run(move || {
                    running.fetch_add(1, Ordering::SeqCst);
                    let _ = gate.lock().unwrap().recv();
                    7
                })
                .await
            }));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // One runs, one waits in the queue: a third is refused without waiting.
        assert_eq!(pool.run(|| 1).await, Err(Overloaded));
        release.send(()).unwrap();
        release.send(()).unwrap();
        for task in waiting {
            assert_eq!(task.await.unwrap(), Ok(7));
        }
        assert_eq!(running.load(Ordering::SeqCst), 2);
        assert_eq!(pool.run(|| 2).await, Ok(2));
    }
}
