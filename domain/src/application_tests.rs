use super::*;
use crate::testing::{given, given_no_events};

#[test]
fn an_application_is_reconfigured_and_its_secret_rotated() {
    let configure = ApplicationCommand::Configure {
        change: Configuration {
            name: Some("Portal 2".into()),
            api_product: Some(false),
            app_orgs: Some(true),
            app_roles: Some(true),
            ..Default::default()
        },
        now: 5,
    };
    given::<Application>(&[registered()])
        .when(configure, &())
        .then_expect_events(&[ApplicationEvent::ApplicationConfigured {
            application_id: "a1".into(),
            name: "Portal 2".into(),
            api_product: false,
            app_orgs: true,
            app_roles: true,
            protocols: ProtocolSettings::default(),
            account_extensions: vec![],
            changed: vec!["name".into(), "api_product".into(), "app_orgs".into()],
            at: 5,
            details: Default::default(),
        }]);
    let bad = ApplicationCommand::Configure {
        change: Configuration {
            protocols: Some(ProtocolSettings {
                redirect_uris: vec!["nope".into()],
                ..Default::default()
            }),
            ..Default::default()
        },
        now: 5,
    };
    let bad_model = ApplicationCommand::Configure {
        change: Configuration {
            account_extensions: Some(vec!["age".into(), "age".into()]),
            ..Default::default()
        },
        now: 5,
    };
    given::<Application>(&[registered()])
        .when(bad_model, &())
        .then_expect_error(ApplicationError::InvalidExtension("age".into()));
    given::<Application>(&[registered()])
        .when(bad, &())
        .then_expect_error(ApplicationError::Protocol(ProtocolError::InvalidUrl(
            "nope".into(),
        )));
    given::<Application>(&[registered()])
        .when(
            ApplicationCommand::RotateSecret {
                client_secret_hash: "h2".into(),
                now: 6,
            },
            &(),
        )
        .then_expect_events(&[ApplicationEvent::SecretRotated {
            application_id: "a1".into(),
            client_secret_hash: "h2".into(),
            at: 6,
        }]);
    given_no_events::<Application>()
        .when(
            ApplicationCommand::RotateSecret {
                client_secret_hash: "h2".into(),
                now: 6,
            },
            &(),
        )
        .then_expect_error(ApplicationError::NotFound);
    given::<Application>(&[registered()])
        .when(
            ApplicationCommand::Delete {
                has_accounts: true,
                now: 7,
            },
            &(),
        )
        .then_expect_error(ApplicationError::HasAccounts);
    let deleted = ApplicationEvent::ApplicationDeleted {
        application_id: "a1".into(),
        at: 7,
    };
    let decision = given::<Application>(&[registered()])
        .when(
            ApplicationCommand::Delete {
                has_accounts: false,
                now: 7,
            },
            &(),
        )
        .then_expect_events(std::slice::from_ref(&deleted));
    assert_eq!(
        decision.releases,
        [Claim::new("application.client_id", "client-0001")]
    );
    given::<Application>(&[registered(), deleted])
        .when(ApplicationCommand::Enable { now: 8 }, &())
        .then_expect_error(ApplicationError::NotFound);
}

fn register(name: &str, client_id: &str, protocols: ProtocolSettings) -> ApplicationCommand {
    ApplicationCommand::Register {
        application_id: "a1".into(),
        name: name.into(),
        client_id: client_id.into(),
        client_secret_hash: "h".into(),
        api_product: true,
        app_orgs: false,
        app_roles: true,
        protocols,
        account_extensions: vec![],
        details: Default::default(),
        enabled: true,
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
        app_orgs: false,
        app_roles: true,
        enabled: true,
        protocols: ProtocolSettings::default(),
        account_extensions: vec![],
        created_at: 1,
        details: Default::default(),
    }
}

#[test]
fn registering_an_application_claims_its_client_id() {
    let decision = given_no_events::<Application>()
        .when(
            register("Portal", "client-0001", ProtocolSettings::default()),
            &(),
        )
        .then_expect_events(&[registered()]);
    assert_eq!(
        decision.claims,
        [Claim::new("application.client_id", "client-0001")]
    );
}

#[test]
fn registration_refuses_bad_input_and_repeats() {
    let none = ProtocolSettings::default;
    given_no_events::<Application>()
        .when(register("", "client-0001", none()), &())
        .then_expect_error(ApplicationError::InvalidName);
    given_no_events::<Application>()
        .when(register("Portal", "has space", none()), &())
        .then_expect_error(ApplicationError::InvalidClientId);
    given::<Application>(&[registered()])
        .when(register("Portal", "client-0001", none()), &())
        .then_expect_error(ApplicationError::AlreadyExists);
    let bad_redirect = ProtocolSettings {
        redirect_uris: vec!["https://app.example.com/cb#frag".into()],
        ..none()
    };
    given_no_events::<Application>()
        .when(register("Portal", "client-0001", bad_redirect), &())
        .then_expect_error(ApplicationError::Protocol(ProtocolError::InvalidUrl(
            "https://app.example.com/cb#frag".into(),
        )));
    let bad_cas = ProtocolSettings {
        cas_services: vec!["ftp://files".into()],
        ..none()
    };
    given_no_events::<Application>()
        .when(register("Portal", "client-0001", bad_cas), &())
        .then_expect_error(ApplicationError::Protocol(ProtocolError::InvalidUrl(
            "ftp://files".into(),
        )));
    let bad_saml = ProtocolSettings {
        saml: Some(SamlServiceProvider::new(" ", "https://sp.example.com/acs")),
        ..none()
    };
    given_no_events::<Application>()
        .when(register("Portal", "client-0001", bad_saml), &())
        .then_expect_error(ApplicationError::Protocol(ProtocolError::InvalidEntityId));
}

#[test]
fn an_application_is_enabled_and_disabled_once_each() {
    let disabled = ApplicationEvent::ApplicationDisabled {
        application_id: "a1".into(),
        at: 2,
    };
    given::<Application>(&[registered()])
        .when(ApplicationCommand::Disable { now: 2 }, &())
        .then_expect_events(std::slice::from_ref(&disabled));
    given::<Application>(&[registered(), disabled.clone()])
        .when(ApplicationCommand::Disable { now: 3 }, &())
        .then_expect_events(&[]);
    given::<Application>(&[registered(), disabled])
        .when(ApplicationCommand::Enable { now: 3 }, &())
        .then_expect_events(&[ApplicationEvent::ApplicationEnabled {
            application_id: "a1".into(),
            at: 3,
        }]);
    given_no_events::<Application>()
        .when(ApplicationCommand::Enable { now: 1 }, &())
        .then_expect_error(ApplicationError::NotFound);
}

#[test]
fn an_application_with_a_code_holds_its_code_and_name_until_it_changes_or_goes() {
    let coded = AppDetails {
        code: Some("erp".into()),
        ..Default::default()
    };
    let mut command = register("ERP", "erp", ProtocolSettings::default());
    if let ApplicationCommand::Register { details, .. } = &mut command {
        *details = coded.clone();
    }
    let decision = given_no_events::<Application>()
        .when(command, &())
        .decision();
    let kinds: Vec<String> = decision
        .claims
        .iter()
        .map(|c| c.kind.as_str().to_string())
        .collect();
    assert_eq!(
        kinds,
        [
            "application.code",
            "application.name",
            "application.client_id"
        ]
    );
    let mut app = Application::from_events(&decision.events);
    let rename = ApplicationCommand::Configure {
        change: Configuration {
            name: Some("ERP 2".into()),
            ..Default::default()
        },
        now: 2,
    };
    let renamed = app.decide(rename, &()).unwrap();
    assert_eq!(
        renamed.releases,
        [Claim::new(ClaimKind::ApplicationName, "ERP")]
    );
    assert_eq!(
        renamed.claims,
        [Claim::new(ClaimKind::ApplicationName, "ERP 2")]
    );
    app.apply(&renamed.events[0]);
    let gone = app
        .decide(
            ApplicationCommand::Delete {
                has_accounts: false,
                now: 3,
            },
            &(),
        )
        .unwrap();
    assert_eq!(gone.releases.len(), 3, "code, name and client id");
}

#[test]
fn audit_reading_is_granted_changed_and_revoked_once_each() {
    use crate::authority::AuditReading;
    let set = |reading| ApplicationCommand::SetAuditReading { reading, now: 9 };
    let granted = ApplicationEvent::AuditReadingChanged {
        application_id: "a1".into(),
        reading: Some(AuditReading::Events),
        at: 9,
    };
    given::<Application>(&[registered()])
        .when(set(Some(AuditReading::Events)), &())
        .then_expect_events(std::slice::from_ref(&granted));
    given::<Application>(&[registered(), granted.clone()])
        .when(set(Some(AuditReading::Events)), &())
        .then_expect_events(&[]);
    given::<Application>(&[registered(), granted.clone()])
        .when(set(None), &())
        .then_expect_events(&[ApplicationEvent::AuditReadingChanged {
            application_id: "a1".into(),
            reading: None,
            at: 9,
        }]);
    given::<Application>(&[registered()])
        .when(set(None), &())
        .then_expect_events(&[]);
    given_no_events::<Application>()
        .when(set(Some(AuditReading::Personal)), &())
        .then_expect_error(ApplicationError::NotFound);
}
