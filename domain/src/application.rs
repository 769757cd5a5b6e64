//! An application registered in a tenant. For now it carries what the management API needs: the
//! client credentials (the secret only as a hash), the "API product granted" flag and `enabled`.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Claim, Decision, DomainEvent};

#[derive(Debug, Default)]
pub struct Application {
    pub id: Option<String>,
    pub name: String,
    pub client_id: String,
    pub client_secret_hash: String,
    pub api_product: bool,
    pub enabled: bool,
}

#[derive(Debug, Clone)]
pub enum ApplicationCommand {
    Register {
        application_id: String,
        name: String,
        client_id: String,
        /// A keyed hash of the generated secret; the secret itself never reaches the domain.
        client_secret_hash: String,
        api_product: bool,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum ApplicationEvent {
    #[serde(rename = "application.registered")]
    ApplicationRegistered {
        application_id: String,
        name: String,
        client_id: String,
        client_secret_hash: String,
        api_product: bool,
        enabled: bool,
        created_at: i64,
    },
}

impl DomainEvent for ApplicationEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::ApplicationRegistered { .. } => "application.registered",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplicationError {
    #[error("application already exists")]
    AlreadyExists,
    #[error("application name must be 1 to 100 characters")]
    InvalidName,
    #[error("client id must be 8 to 128 letters, digits, '-' or '_'")]
    InvalidClientId,
    #[error("client secret must be 16 to 128 visible ASCII characters")]
    InvalidClientSecret,
}

/// A client id: 8 to 128 letters, digits, `-` or `_`.
pub fn is_client_id(value: &str) -> bool {
    (8..=128).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A client secret chosen by an operator: 16 to 128 visible ASCII characters.
pub fn is_client_secret(value: &str) -> bool {
    (16..=128).contains(&value.len()) && value.chars().all(|c| c.is_ascii_graphic())
}

impl Aggregate for Application {
    type Command = ApplicationCommand;
    type Event = ApplicationEvent;
    type Error = ApplicationError;
    type Services = ();
    const STREAM_TYPE: &'static str = "application";

    fn apply(&mut self, event: &ApplicationEvent) {
        match event {
            ApplicationEvent::ApplicationRegistered {
                application_id,
                name,
                client_id,
                client_secret_hash,
                api_product,
                enabled,
                ..
            } => {
                self.id = Some(application_id.clone());
                self.name = name.clone();
                self.client_id = client_id.clone();
                self.client_secret_hash = client_secret_hash.clone();
                self.api_product = *api_product;
                self.enabled = *enabled;
            }
        }
    }

    fn decide(
        &self,
        command: ApplicationCommand,
        _: &(),
    ) -> Result<Decision<ApplicationEvent>, ApplicationError> {
        match command {
            ApplicationCommand::Register {
                application_id,
                name,
                client_id,
                client_secret_hash,
                api_product,
                now,
            } => {
                if self.id.is_some() {
                    return Err(ApplicationError::AlreadyExists);
                }
                let name = name.trim().to_string();
                if name.is_empty() || name.chars().count() > 100 {
                    return Err(ApplicationError::InvalidName);
                }
                if !is_client_id(&client_id) {
                    return Err(ApplicationError::InvalidClientId);
                }
                Ok(Decision::event(ApplicationEvent::ApplicationRegistered {
                    application_id,
                    name,
                    client_id: client_id.clone(),
                    client_secret_hash,
                    api_product,
                    enabled: true,
                    created_at: now,
                })
                .claim(Claim::new("application.client_id", client_id)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{given, given_no_events};

    fn register(name: &str, client_id: &str) -> ApplicationCommand {
        ApplicationCommand::Register {
            application_id: "a1".into(),
            name: name.into(),
            client_id: client_id.into(),
            client_secret_hash: "h".into(),
            api_product: true,
            now: 1,
        }
    }

    fn registered() -> ApplicationEvent {
        ApplicationEvent::ApplicationRegistered {
            application_id: "a1".into(),
            name: "Portal".into(),
            client_id: "client-0001".into(),
            client_secret_hash: "h".into(),
            api_product: true,
            enabled: true,
            created_at: 1,
        }
    }

    #[test]
    fn registering_an_application_claims_its_client_id() {
        let decision = given_no_events::<Application>()
            .when(register("Portal", "client-0001"), &())
            .then_expect_events(&[registered()]);
        assert_eq!(
            decision.claims,
            [Claim::new("application.client_id", "client-0001")]
        );
    }

    #[test]
    fn registration_refuses_bad_input_and_repeats() {
        given_no_events::<Application>()
            .when(register("", "client-0001"), &())
            .then_expect_error(ApplicationError::InvalidName);
        given_no_events::<Application>()
            .when(register("Portal", "short"), &())
            .then_expect_error(ApplicationError::InvalidClientId);
        given::<Application>(&[registered()])
            .when(register("Portal", "client-0001"), &())
            .then_expect_error(ApplicationError::AlreadyExists);
    }
}
