use super::*;
use crate::testing::{given, given_no_events};

fn issue(kind: TicketKind) -> Issue {
    Issue {
        kind,
        ticket_hash: "h".into(),
        application_id: "a1".into(),
        service: "https://app.example.com/cb".into(),
        user_id: "u1".into(),
        session_id: "s1".into(),
        from_new_login: false,
        remember_me: false,
        auth_time: 0,
        proxies: Vec::new(),
        granted_by: None,
        issued_at: 0,
        expires_at: 300,
    }
}

fn issued(kind: TicketKind) -> CasTicketEvent {
    CasTicketEvent::Issued {
        issue: issue(kind),
        personal: (kind != TicketKind::ProxyGranting).then(|| SealedTicket {
            ticket: "ST-x".into(),
        }),
    }
}

fn validate(service: &str, now: i64) -> CasTicketCommand {
    CasTicketCommand::Validate {
        service: service.into(),
        renew: false,
        proxy_tickets_accepted: false,
        outside: None,
        now,
    }
}

fn refused(reason: Refusal, service: &str, at: i64) -> CasTicketEvent {
    CasTicketEvent::Refused {
        reason,
        service: service.into(),
        at,
    }
}

const SERVICE: &str = "https://app.example.com/cb";

#[test]
fn a_service_ticket_is_issued_once_and_kept_sealed() {
    let command = CasTicketCommand::Issue {
        issue: issue(TicketKind::Service),
        ticket: Some("ST-x".into()),
    };
    given_no_events::<CasTicket>()
        .when(command.clone(), &())
        .then_expect_events(&[issued(TicketKind::Service)]);
    given::<CasTicket>(&[issued(TicketKind::Service)])
        .when(command, &())
        .then_expect_error(CasTicketError::AlreadyIssued);
}

#[test]
fn a_proxy_granting_ticket_is_never_kept() {
    given_no_events::<CasTicket>()
        .when(
            CasTicketCommand::Issue {
                issue: issue(TicketKind::ProxyGranting),
                ticket: Some("PGT-x".into()),
            },
            &(),
        )
        .then_expect_events(&[issued(TicketKind::ProxyGranting)]);
}

#[test]
fn a_service_ticket_validates_once() {
    let validated = CasTicketEvent::Validated {
        service: SERVICE.into(),
        at: 10,
    };
    given::<CasTicket>(&[issued(TicketKind::Service)])
        .when(validate(SERVICE, 10), &())
        .then_expect_events(std::slice::from_ref(&validated));
    given::<CasTicket>(&[issued(TicketKind::Service), validated])
        .when(validate(SERVICE, 20), &())
        .then_expect_events(&[refused(Refusal::AlreadyUsed, SERVICE, 20)]);
}

#[test]
fn a_failed_validation_spends_the_ticket() {
    let other = "https://evil.example.com/cb";
    let wrong = refused(Refusal::WrongService, other, 10);
    given::<CasTicket>(&[issued(TicketKind::Service)])
        .when(validate(other, 10), &())
        .then_expect_events(std::slice::from_ref(&wrong));
    given::<CasTicket>(&[issued(TicketKind::Service), wrong])
        .when(validate(SERVICE, 20), &())
        .then_expect_events(&[refused(Refusal::AlreadyUsed, SERVICE, 20)]);
}

#[test]
fn validation_refusals_name_their_reason() {
    given::<CasTicket>(&[issued(TicketKind::Service)])
        .when(validate(SERVICE, 300), &())
        .then_expect_events(&[refused(Refusal::Expired, SERVICE, 300)]);
    given::<CasTicket>(&[issued(TicketKind::Proxy)])
        .when(validate(SERVICE, 10), &())
        .then_expect_events(&[refused(Refusal::ProxyTicketNotAccepted, SERVICE, 10)]);
    let renew = CasTicketCommand::Validate {
        service: SERVICE.into(),
        renew: true,
        proxy_tickets_accepted: true,
        outside: None,
        now: 10,
    };
    given::<CasTicket>(&[issued(TicketKind::Service)])
        .when(renew, &())
        .then_expect_events(&[refused(Refusal::NotFromNewLogin, SERVICE, 10)]);
    let disabled = CasTicketCommand::Validate {
        service: SERVICE.into(),
        renew: false,
        proxy_tickets_accepted: false,
        outside: Some(Refusal::AccountUnavailable),
        now: 10,
    };
    given::<CasTicket>(&[issued(TicketKind::Service)])
        .when(disabled, &())
        .then_expect_events(&[refused(Refusal::AccountUnavailable, SERVICE, 10)]);
    given::<CasTicket>(&[issued(TicketKind::ProxyGranting)])
        .when(validate(SERVICE, 10), &())
        .then_expect_error(CasTicketError::WrongKind("proxy-granting"));
    given_no_events::<CasTicket>()
        .when(validate(SERVICE, 10), &())
        .then_expect_error(CasTicketError::Unknown);
}

#[test]
fn a_proxy_ticket_validates_where_proxy_tickets_are_accepted() {
    let command = CasTicketCommand::Validate {
        service: SERVICE.into(),
        renew: false,
        proxy_tickets_accepted: true,
        outside: None,
        now: 10,
    };
    given::<CasTicket>(&[issued(TicketKind::Proxy)])
        .when(command, &())
        .then_expect_events(&[CasTicketEvent::Validated {
            service: SERVICE.into(),
            at: 10,
        }]);
}

#[test]
fn a_proxy_granting_ticket_grants_until_it_ends() {
    let grant = |now| CasTicketCommand::GrantProxy {
        target_service: "https://backend.example.com/".into(),
        proxy_ticket_id: "pt1".into(),
        now,
    };
    let granted = CasTicketEvent::ProxyGranted {
        target_service: "https://backend.example.com/".into(),
        proxy_ticket_id: "pt1".into(),
        at: 10,
    };
    given::<CasTicket>(&[issued(TicketKind::ProxyGranting), granted.clone()])
        .when(grant(10), &())
        .then_expect_events(&[granted]);
    let ended = CasTicketEvent::Ended {
        reason: "session_ended".into(),
        at: 20,
    };
    given::<CasTicket>(&[issued(TicketKind::ProxyGranting)])
        .when(
            CasTicketCommand::End {
                reason: "session_ended".into(),
                now: 20,
            },
            &(),
        )
        .then_expect_events(std::slice::from_ref(&ended));
    given::<CasTicket>(&[issued(TicketKind::ProxyGranting), ended])
        .when(grant(30), &())
        .then_expect_error(CasTicketError::Ended);
    given::<CasTicket>(&[issued(TicketKind::ProxyGranting)])
        .when(grant(300), &())
        .then_expect_error(CasTicketError::Ended);
    given::<CasTicket>(&[issued(TicketKind::Service)])
        .when(grant(10), &())
        .then_expect_error(CasTicketError::WrongKind("ST"));
}

#[test]
fn an_unused_ticket_expires_once_its_lifetime_is_over() {
    let expire = |now| CasTicketCommand::Expire { now };
    given::<CasTicket>(&[issued(TicketKind::Service)])
        .when(expire(299), &())
        .then_expect_error(CasTicketError::NotDue);
    let expired = CasTicketEvent::Expired { at: 300 };
    given::<CasTicket>(&[issued(TicketKind::Service)])
        .when(expire(300), &())
        .then_expect_events(std::slice::from_ref(&expired));
    given::<CasTicket>(&[issued(TicketKind::Service), expired])
        .when(expire(400), &())
        .then_expect_error(CasTicketError::NotDue);
    let used = CasTicketEvent::Validated {
        service: SERVICE.into(),
        at: 10,
    };
    given::<CasTicket>(&[issued(TicketKind::Service), used])
        .when(expire(400), &())
        .then_expect_error(CasTicketError::NotDue);
}

#[test]
fn the_issued_event_keeps_its_wire_shape() {
    let value = serde_json::to_value(issued(TicketKind::Service)).unwrap();
    assert_eq!(value["event_type"], "cas_ticket.issued");
    assert_eq!(value["payload"]["kind"], "ST");
    assert_eq!(value["payload"]["personal"]["ticket"], "ST-x");
    let back: CasTicketEvent = serde_json::from_value(value).unwrap();
    assert_eq!(back, issued(TicketKind::Service));
}

#[test]
fn a_replay_is_recorded_once_then_refused_without_an_event() {
    let validated = CasTicketEvent::Validated {
        service: SERVICE.into(),
        at: 10,
    };
    given::<CasTicket>(&[
        issued(TicketKind::Service),
        validated,
        refused(Refusal::AlreadyUsed, SERVICE, 20),
    ])
    .when(validate(SERVICE, 30), &())
    .then_expect_error(CasTicketError::Replayed);
}
