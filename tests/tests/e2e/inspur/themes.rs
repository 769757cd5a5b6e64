//! Inspur login themes and the console login (specs/inspur-idaas.md §2.2 THEME-01, §2.11
//! LOGIN-01): the document's 33 themes in id order with its values in the tenant's zone, the
//! hosted login page in the colour of the theme an application names (its own admin-API theme
//! winning), and a login that finds the caller's tenant and writes nothing.

use idaas_tests::inspur::{call, data};
use idaas_tests::sso::{self, Browser};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The page's button and heading colour when no theme applies (api/http/src/pages.rs).
const DEFAULT_COLOUR: &str = "#1f5fbf";

async fn event_count(server: &TestServer) -> i64 {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events")
        .fetch_one(&server.store().database().pool)
        .await
        .unwrap();
    count
}

/// The colour the hosted login page for this client id is drawn in.
async fn login_page_colour(server: &TestServer, client_id: &str) -> String {
    let page = Browser::new(server)
        .get(&format!("/api/v1/login?client_id={client_id}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let marker = "button { margin-top: 1.2rem; width: 100%; padding: .6rem; background: ";
    let start = page.text.find(marker).expect("the button's style") + marker.len();
    page.text[start..start + 7].to_string()
}

async fn the_document_s_33_login_themes_are_listed_in_id_order(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let themes = data(
        &call(
            &server,
            &t,
            Method::GET,
            "/idaas/v1/logintheme/listthemes",
            None,
        )
        .await,
    );
    let themes = themes.as_array().expect("an array, not a page").clone();
    assert_eq!(themes.len(), 33);
    let ids: Vec<&str> = themes.iter().map(|t| t["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "id order");
    assert_eq!(
        themes[0],
        json!({"id": "007998CEB4A4428FBE6EA9DE9D41BE4F", "themeName": "yunzhou-smart",
               "createdTime": "2021-09-16 16:14:29", "updatedTime": "2021-09-16 16:14:29",
               "creator": "inspurtest06"})
    );
    assert_eq!(
        themes[32],
        json!({"id": "FC71328FA9A14F90831394BC4EE0D90D", "themeName": "ccssv1test",
               "createdTime": "2021-09-16 16:08:16", "updatedTime": "2021-09-16 16:08:16",
               "creator": "inspurtest06"})
    );
    let named = |name: &str| -> Value {
        themes
            .iter()
            .find(|t| t["themeName"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} listed"))
    };
    for (name, id, created) in [
        (
            "inspur",
            "1CF7DF08732644BA8D28456D5706BA1F",
            "2021-09-16 16:10:48",
        ),
        (
            "gov-public",
            "41DFFA02E6BC485384C07E897BA7421D",
            "2021-09-16 16:09:38",
        ),
        (
            "ccssv1",
            "3938E2DB075E445681C868C8F3EFEAED",
            "2021-09-16 16:07:05",
        ),
        (
            "inspurcloud",
            "F6B97196F0714320BEB4DFD08316784E",
            "2021-09-16 16:10:59",
        ),
    ] {
        let theme = named(name);
        assert_eq!(
            (&theme["id"], &theme["createdTime"], &theme["updatedTime"]),
            (&json!(id), &json!(created), &json!(created)),
            "{name}"
        );
    }
    assert!(themes.iter().all(|t| t["creator"] == "inspurtest06"));
    // The times are instants: a tenant at UTC sees them eight hours earlier.
    let utc = TestServer::start_configured(engine, |c| c.utc_offset_minutes = 0).await;
    let t = utc.token().await;
    let themes = data(
        &call(
            &utc,
            &t,
            Method::GET,
            "/idaas/v1/logintheme/listthemes",
            None,
        )
        .await,
    );
    assert_eq!(themes[0]["createdTime"], "2021-09-16 08:14:29");
    // Like every management endpoint, it needs a token.
    let refused = call(
        &utc,
        "not-a-token",
        Method::GET,
        "/idaas/v1/logintheme/listthemes",
        None,
    )
    .await;
    assert_eq!(refused.0, 401);
    utc.finish().await;
    server.finish().await;
}

async fn the_hosted_login_wears_the_theme_an_inspur_application_names(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let gov = json!({"appName": "政务", "appCode": "gov_app",
                     "redirectUri": "https://gov.example.com/cb", "loginTheme": "gov-public"});
    let created = data(&call(&server, &t, Method::POST, "/idaas/v1/apps", Some(gov)).await);
    assert_eq!(created["loginTheme"], "gov-public");
    assert_eq!(login_page_colour(&server, "gov_app").await, "#d32f2f");
    // Another theme, another colour; a name the catalogue does not know keeps the default look.
    let id = created["id"].as_str().unwrap();
    for (theme, colour) in [("inspur", "#005bac"), ("no-such-theme", DEFAULT_COLOUR)] {
        let change = json!({"id": id, "loginTheme": theme});
        data(
            &call(
                &server,
                &t,
                Method::POST,
                "/idaas/v1/apps/updateapp",
                Some(change),
            )
            .await,
        );
        assert_eq!(
            login_page_colour(&server, "gov_app").await,
            colour,
            "{theme}"
        );
    }
    // An application with a login theme of its own (admin API) keeps it whatever theme it names.
    let own = sso::register(
        &server,
        &t,
        "ERP",
        json!({"redirect_uris": ["https://erp.example.com/cb"],
               "login_theme": {"primary_color": "#123456"}}),
    )
    .await;
    let change = json!({"id": own.application_id, "loginTheme": "gov-public"});
    let changed = data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/apps/updateapp",
            Some(change),
        )
        .await,
    );
    assert_eq!(changed["loginTheme"], "gov-public");
    assert_eq!(login_page_colour(&server, &own.client_id).await, "#123456");
    server.finish().await;
}

async fn the_console_login_answers_the_caller_s_realm_and_writes_nothing(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let before = event_count(&server).await;
    for _ in 0..2 {
        let answer = data(&call(&server, &t, Method::GET, "/idaas/v1/login", None).await);
        assert_eq!(
            answer,
            json!({"realm": "default", "accountId": "default", "created": false})
        );
    }
    // The printed-path normalisation reaches it too.
    let answer = data(&call(&server, &t, Method::GET, "/idaas/v1/idaas/v1/login", None).await);
    assert_eq!(answer["realm"], "default");
    assert_eq!(event_count(&server).await, before, "no event written");
    let refused = call(&server, "not-a-token", Method::GET, "/idaas/v1/login", None).await;
    assert_eq!(refused.0, 401);
    server.finish().await;
}

on_both_engines!(
    the_document_s_33_login_themes_are_listed_in_id_order,
    the_hosted_login_wears_the_theme_an_inspur_application_names,
    the_console_login_answers_the_caller_s_realm_and_writes_nothing,
);
