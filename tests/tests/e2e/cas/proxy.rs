//! CAS proxying end to end (CAS Protocol 3.0 §2.5.4, §2.6–§2.7): a service ticket validated with
//! a `pgtUrl` gives a PGT to the callback and its IOU to the service; the PGT grants proxy tickets
//! for registered services, which validate at `proxyValidate` with the chain of proxies listed
//! (and never at `serviceValidate`); a proxy can proxy again; PGTs end with the session. Callbacks
//! that are not registered, not HTTPS or that fail get no PGT.

use idaas_tests::cas::{self, failure_code, Listener, SERVICE, STANDARD};
use idaas_tests::sso;
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::{json, Value};

const BACKEND: &str = "https://backend.example.com/api";

fn proxy_path(pgt: &str, target: &str) -> String {
    format!(
        "{STANDARD}/proxy?pgt={}&targetService={}",
        cas::encode(pgt),
        cas::encode(target)
    )
}

async fn proxy_json(server: &TestServer, pgt: &str, target: &str) -> Value {
    let (status, _, body) =
        cas::call(server, &format!("{}&format=JSON", proxy_path(pgt, target))).await;
    assert_eq!(status, 200);
    serde_json::from_str(&body).unwrap()
}

/// The PGT the callback received for an IOU.
fn pgt_for(listener: &Listener, iou: &str) -> String {
    listener
        .pgts()
        .into_iter()
        .find(|(_, i)| i == iou)
        .map(|(pgt, _)| pgt)
        .expect("the callback received the PGT of this IOU")
}

async fn a_proxy_chain_lists_every_proxy(engine: Engine) {
    let listener = Listener::start(0).await;
    let mut server = TestServer::start(engine).await;
    server.config.cas_http_callbacks = true;
    server.restart().await;
    let callback = listener.url("/pgt");
    let fixture = cas::fixture(
        &server,
        "proxied",
        json!({"cas_proxy_callbacks": [callback]}),
    )
    .await;
    let token = server.token().await;
    let backend = sso::register(
        &server,
        &token,
        "backend",
        json!({"cas_services": [BACKEND], "cas_proxy_callbacks": [callback]}),
    )
    .await;
    sso::account(
        &server,
        &token,
        &backend,
        &fixture.user_id,
        "proxied-backend",
    )
    .await;

    // ST with a pgtUrl: the IOU to the service, the PGT to the callback.
    let first_hop = format!("{callback}?hop=1");
    let st = fixture.ticket(SERVICE).await;
    let answer = cas::validate_json(
        &server,
        STANDARD,
        "p3/serviceValidate",
        SERVICE,
        &st,
        &format!("&pgtUrl={}", cas::encode(&first_hop)),
    )
    .await;
    let success = &answer["serviceResponse"]["authenticationSuccess"];
    let iou = success["proxyGrantingTicket"].as_str().expect("an IOU");
    assert!(iou.starts_with("PGTIOU-"), "{answer}");
    let pgt = pgt_for(&listener, iou);
    assert!(pgt.starts_with("PGT-") && pgt.len() >= 36, "{pgt}");
    assert_ne!(pgt[4..], iou[7..], "the IOU is not the PGT");

    // PGT → PT for the backend, in XML as stock clients read it.
    let (_, _, body) = cas::call(&server, &proxy_path(&pgt, BACKEND)).await;
    assert!(body.contains("<cas:proxySuccess>"), "{body}");
    let pt = body
        .split("<cas:proxyTicket>")
        .nth(1)
        .and_then(|r| r.split("</cas:proxyTicket>").next())
        .unwrap()
        .to_string();
    assert!(pt.starts_with("PT-"), "{pt}");

    // The PT does not validate at serviceValidate (and is spent by trying)...
    let refused = cas::validate_json(&server, STANDARD, "serviceValidate", BACKEND, &pt, "").await;
    assert_eq!(
        failure_code(&refused).as_deref(),
        Some("INVALID_TICKET_SPEC"),
        "{refused}"
    );
    // ...a fresh one does at proxyValidate, listing the proxy, and proxies again.
    let pt = proxy_json(&server, &pgt, BACKEND).await["serviceResponse"]["proxySuccess"]
        ["proxyTicket"]
        .as_str()
        .unwrap()
        .to_string();
    // Counted as issued (the process's metrics recorder, shared by the servers of this binary).
    let scraped = idaas_server::metrics::handle().render();
    assert!(
        scraped
            .lines()
            .any(|l| l.starts_with("idaas_tickets_issued_total{kind=\"cas_proxy\"}")),
        "{scraped}"
    );
    let second_hop = format!("{callback}?hop=2");
    let answer = cas::validate_json(
        &server,
        STANDARD,
        "p3/proxyValidate",
        BACKEND,
        &pt,
        &format!("&pgtUrl={}", cas::encode(&second_hop)),
    )
    .await;
    let success = &answer["serviceResponse"]["authenticationSuccess"];
    assert_eq!(success["user"], "proxied-backend", "{answer}");
    assert_eq!(success["proxies"], json!([first_hop]), "{answer}");
    let pgt2 = pgt_for(&listener, success["proxyGrantingTicket"].as_str().unwrap());

    // The second proxy's ticket back to the first service lists both proxies, newest first.
    let pt2 = proxy_json(&server, &pgt2, SERVICE).await["serviceResponse"]["proxySuccess"]
        ["proxyTicket"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, _, xml) = cas::call(
        &server,
        &format!(
            "{STANDARD}/proxyValidate?service={}&ticket={}",
            cas::encode(SERVICE),
            cas::encode(&pt2)
        ),
    )
    .await;
    let second = xml.find(&format!(
        "<cas:proxy>{}</cas:proxy>",
        second_hop.replace('&', "&amp;")
    ));
    let first = xml.find(&format!(
        "<cas:proxy>{}</cas:proxy>",
        first_hop.replace('&', "&amp;")
    ));
    assert!(
        matches!((second, first), (Some(a), Some(b)) if a < b),
        "{xml}"
    );

    // A PGT is used many times; it ends with the session.
    let again = proxy_json(&server, &pgt, BACKEND).await;
    assert!(
        again["serviceResponse"]["proxySuccess"].is_object(),
        "{again}"
    );
    fixture.browser.get(&format!("{STANDARD}/logout")).await;
    let ended = proxy_json(&server, &pgt, BACKEND).await;
    assert_eq!(
        ended["serviceResponse"]["proxyFailure"]["code"], "INVALID_TICKET",
        "{ended}"
    );
    server.finish().await;
}

async fn proxy_callbacks_and_proxy_requests_are_refused_with_their_codes(engine: Engine) {
    let listener = Listener::start(0).await;
    let server = TestServer::start(engine).await;
    let callback = listener.url("/pgt");
    let fixture = cas::fixture(&server, "noproxy", json!({})).await;
    let token = server.token().await;
    let proxying = sso::register(
        &server,
        &token,
        "proxying",
        json!({"cas_services": [BACKEND], "cas_proxy_callbacks": [callback]}),
    )
    .await;
    sso::account(&server, &token, &proxying, &fixture.user_id, "noproxy-b").await;
    let with_pgt = |url: &str| format!("&pgtUrl={}", cas::encode(url));

    // An application without proxy callbacks may not proxy.
    let st = fixture.ticket(SERVICE).await;
    let answer = cas::validate_json(
        &server,
        STANDARD,
        "serviceValidate",
        SERVICE,
        &st,
        &with_pgt(&callback),
    )
    .await;
    assert_eq!(
        failure_code(&answer).as_deref(),
        Some("UNAUTHORIZED_SERVICE_PROXY"),
        "{answer}"
    );
    // An http:// callback (this server accepts HTTPS only) and an unregistered one:
    // INVALID_PROXY_CALLBACK, and no PGT anywhere.
    for url in [callback.clone(), "https://evil.example.com/pgt".to_string()] {
        let st = fixture.ticket(BACKEND).await;
        let answer = cas::validate_json(
            &server,
            STANDARD,
            "serviceValidate",
            BACKEND,
            &st,
            &with_pgt(&url),
        )
        .await;
        assert_eq!(
            failure_code(&answer).as_deref(),
            Some("INVALID_PROXY_CALLBACK"),
            "{url}: {answer}"
        );
        // The ticket is spent by the attempt.
        let again =
            cas::validate_json(&server, STANDARD, "serviceValidate", BACKEND, &st, "").await;
        assert_eq!(failure_code(&again).as_deref(), Some("INVALID_TICKET"));
    }
    assert!(
        listener.pgts().is_empty(),
        "no PGT left the server over http"
    );

    // /proxy: missing parameters, an unknown PGT, a service ticket offered as a PGT.
    let (_, _, body) = cas::call(&server, &format!("{STANDARD}/proxy?pgt=PGT-1")).await;
    assert!(
        body.contains(r#"<cas:proxyFailure code="INVALID_REQUEST">"#),
        "{body}"
    );
    let unknown = proxy_json(&server, "PGT-unknown", BACKEND).await;
    assert_eq!(
        unknown["serviceResponse"]["proxyFailure"]["code"],
        "INVALID_TICKET"
    );
    let st = fixture.ticket(SERVICE).await;
    let not_a_pgt = proxy_json(&server, &st, BACKEND).await;
    assert_eq!(
        not_a_pgt["serviceResponse"]["proxyFailure"]["code"],
        "INVALID_TICKET"
    );
    server.finish().await;
}

async fn a_proxy_ticket_goes_only_to_registered_services_of_the_user(engine: Engine) {
    let listener = Listener::start(0).await;
    let mut server = TestServer::start(engine).await;
    server.config.cas_http_callbacks = true;
    server.restart().await;
    let callback = listener.url("/pgt");
    let fixture = cas::fixture(
        &server,
        "target",
        json!({"cas_proxy_callbacks": [callback]}),
    )
    .await;
    let token = server.token().await;
    // A registered service where the user has no account.
    sso::register(
        &server,
        &token,
        "stranger",
        json!({"cas_services": [BACKEND]}),
    )
    .await;
    let st = fixture.ticket(SERVICE).await;
    let answer = cas::validate_json(
        &server,
        STANDARD,
        "serviceValidate",
        SERVICE,
        &st,
        &format!("&pgtUrl={}", cas::encode(&callback)),
    )
    .await;
    let iou = answer["serviceResponse"]["authenticationSuccess"]["proxyGrantingTicket"]
        .as_str()
        .unwrap()
        .to_string();
    let pgt = pgt_for(&listener, &iou);
    for target in [BACKEND, "https://nowhere.example.com/"] {
        let refused = proxy_json(&server, &pgt, target).await;
        assert_eq!(
            refused["serviceResponse"]["proxyFailure"]["code"], "UNAUTHORIZED_SERVICE",
            "{target}: {refused}"
        );
    }

    // A callback that does not answer 200 gets a PGT that was never issued, and the service
    // no IOU.
    listener.answer_pgt_with(404);
    let st = fixture.ticket(SERVICE).await;
    let answer = cas::validate_json(
        &server,
        STANDARD,
        "serviceValidate",
        SERVICE,
        &st,
        &format!("&pgtUrl={}", cas::encode(&callback)),
    )
    .await;
    assert_eq!(
        failure_code(&answer).as_deref(),
        Some("INVALID_PROXY_CALLBACK"),
        "{answer}"
    );
    let (refused_pgt, _) = listener.pgts().last().cloned().unwrap();
    assert_ne!(refused_pgt, pgt);
    let unused = proxy_json(&server, &refused_pgt, SERVICE).await;
    assert_eq!(
        unused["serviceResponse"]["proxyFailure"]["code"],
        "INVALID_TICKET"
    );
    server.finish().await;
}

on_both_engines!(
    a_proxy_chain_lists_every_proxy,
    proxy_callbacks_and_proxy_requests_are_refused_with_their_codes,
    a_proxy_ticket_goes_only_to_registered_services_of_the_user,
);
