//! A given/when/then harness for aggregates, in the manner of cqrs-es's `TestFramework`:
//! `given(events).when(command, services)` then assert the events or the error.

use crate::aggregate::{Aggregate, Claim, Decision};

pub struct Given<A: Aggregate> {
    state: A,
}

pub fn given<A: Aggregate>(events: &[A::Event]) -> Given<A> {
    Given {
        state: A::from_events(events),
    }
}

pub fn given_no_events<A: Aggregate>() -> Given<A> {
    given(&[])
}

impl<A: Aggregate> Given<A> {
    pub fn when(self, command: A::Command, services: &A::Services) -> Then<A> {
        Then {
            result: self.state.decide(command, services),
        }
    }
}

pub struct Then<A: Aggregate> {
    result: Result<Decision<A::Event>, A::Error>,
}

impl<A: Aggregate> Then<A>
where
    A::Error: PartialEq,
{
    #[track_caller]
    pub fn then_expect_events(self, expected: &[A::Event]) -> Decision<A::Event> {
        match self.result {
            Ok(decision) => {
                assert_eq!(decision.events, expected);
                decision
            }
            Err(e) => panic!("expected events, got error {e:?}"),
        }
    }

    #[track_caller]
    pub fn then_expect_error(self, expected: A::Error) {
        match self.result {
            Ok(decision) => panic!("expected error {expected:?}, got {:?}", decision.events),
            Err(e) => assert_eq!(e, expected),
        }
    }

    /// The decision, for assertions on fields that the test cannot predict (hashes).
    #[track_caller]
    pub fn decision(self) -> Decision<A::Event> {
        match self.result {
            Ok(decision) => decision,
            Err(e) => panic!("expected a decision, got error {e:?}"),
        }
    }
}

/// Claim kinds of a decision, for terse assertions.
pub fn claim_kinds(claims: &[Claim]) -> Vec<String> {
    claims.iter().map(|c| c.kind.to_string()).collect()
}

/// A password hasher for tests: fast and obviously not for production.
pub struct FakeHasher;

impl crate::password::PasswordHasher for FakeHasher {
    fn hash(&self, password: &str) -> String {
        format!("fake${password}")
    }
    fn verify(&self, password: &str, hash: &str) -> bool {
        hash == format!("fake${password}")
    }
}
