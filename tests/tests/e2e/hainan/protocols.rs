//! The one effective-permission query feeds every protocol (issue 17 item 4; ops/adr/0018
//! "Releasing roles and permissions to applications"): one user holds roles directly, through an
//! organisation and through an application account; an application with
//! `release_authorization` receives the very same role and permission codes, computed by hand,
//! in the ID token (OIDC Core §2, §5.1), userinfo (§5.3.2), the SAML assertion's attributes
//! (SAML Core §2.7.3), the CAS p3/serviceValidate attributes in JSON and XML (CAS Protocol 3.0
//! §2.5.7, multi-valued) and `samlValidate`'s SAML 1.1 attributes; a role disabled meanwhile is
//! gone from the next issuance; `roles` sends no permissions and `none` sends nothing.

use domain::app_authorization::NewPermission;
use idaas_tests::cas::{self, SERVICE, STANDARD};
use idaas_tests::oauth;
use idaas_tests::saml::{self, ACS, SP_ENTITY, SSO};
use idaas_tests::sso::{self, Browser, SsoApp, PASSWORD};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Map, Value};
use usecases::authorization::{self as authz, RoleKey};
use usecases::authorization_roles::{self as roles, NewRole, RoleChange};
use usecases::oauth::Issuer;
use usecases::{AppState, Context, Metadata};

const PORTAL: &str = "https://portal.example.com/cb";
const USER: &str = "rolly";

/// The codes one protocol released: `None` when it sent no such claim or attribute.
#[derive(Debug, PartialEq, Eq)]
struct Released {
    roles: Option<Vec<String>>,
    permissions: Option<Vec<String>>,
}

impl Released {
    fn of(roles: &[&str], permissions: &[&str]) -> Self {
        let codes = |c: &[&str]| (!c.is_empty()).then(|| c.iter().map(|s| s.to_string()).collect());
        Self {
            roles: codes(roles),
            permissions: codes(permissions),
        }
    }
}

/// `roles` and `permissions` of a JSON object (claims, CAS JSON attributes): arrays of strings,
/// never empty, never null.
fn from_json(object: &Map<String, Value>) -> Released {
    let codes = |name: &str| {
        object.get(name).map(|value| {
            let codes: Vec<String> = value
                .as_array()
                .unwrap_or_else(|| panic!("{name} is not an array: {value}"))
                .iter()
                .map(|c| c.as_str().expect("a code").to_string())
                .collect();
            assert!(!codes.is_empty(), "an empty {name} is left out");
            codes
        })
    };
    Released {
        roles: codes("roles"),
        permissions: codes("permissions"),
    }
}

/// The AttributeValues of the SAML Attribute named `name`, if there is one.
fn saml_attribute(xml: &str, name: &str) -> Option<Vec<String>> {
    let start = xml.find(&format!(r#"<saml:Attribute Name="{name}""#))?;
    let rest = &xml[start..];
    let attribute = &rest[..rest.find("</saml:Attribute>").expect("closed")];
    let values: Vec<String> = attribute
        .split("<saml:AttributeValue>")
        .skip(1)
        .map(|v| {
            v.split("</saml:AttributeValue>")
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(!values.is_empty(), "an empty {name} is left out");
    Some(values)
}

/// The AttributeValues of the SAML 1.1 Attribute named `name` in a `samlValidate` answer.
fn saml1_attribute(xml: &str, name: &str) -> Option<Vec<String>> {
    let start = xml.find(&format!(r#"<saml1:Attribute AttributeName="{name}""#))?;
    let rest = &xml[start..];
    let attribute = &rest[..rest.find("</saml1:Attribute>").expect("closed")];
    let values: Vec<String> = attribute
        .split("<saml1:AttributeValue>")
        .skip(1)
        .map(|v| {
            v.split("</saml1:AttributeValue>")
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(!values.is_empty(), "an empty {name} is left out");
    Some(values)
}

/// The `<cas:{name}>` elements of a CAS XML answer, one per value.
fn cas_xml_attribute(xml: &str, name: &str) -> Option<Vec<String>> {
    let open = format!("<cas:{name}>");
    let values: Vec<String> = xml
        .split(open.as_str())
        .skip(1)
        .map(|v| {
            v.split(&format!("</cas:{name}>"))
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    (!values.is_empty()).then_some(values)
}

struct Fixture {
    server: TestServer,
    state: AppState,
    ctx: Context,
    token: String,
    app: SsoApp,
    user_id: String,
    browser: Browser,
}

fn protocols(release: &str) -> Value {
    json!({
        "redirect_uris": [PORTAL],
        "cas_services": [SERVICE],
        "saml": {"entity_id": SP_ENTITY, "acs_url": ACS, "attribute_mapping": {"uid": "account_name"}},
        "release_authorization": release,
    })
}

impl Fixture {
    /// What each protocol releases at the next issuance: the ID token of a new code flow, the
    /// userinfo answer for its access token, a new SAML assertion, and new service tickets
    /// validated at `p3/serviceValidate` (JSON), `serviceValidate` (XML) and `samlValidate`.
    async fn issued(&self) -> [(&'static str, Released); 6] {
        let server = &self.server;
        let code = oauth::code(
            &self.browser,
            &self.app,
            PORTAL,
            &[("scope", "openid profile")],
            USER,
        )
        .await;
        let tokens = oauth::exchange(server, &self.app, &code, PORTAL).await;
        let tokens = tokens.ok();
        let id_token = oauth::claims(tokens["id_token"].as_str().expect("an ID token"));
        let id_token = id_token.as_object().unwrap();
        assert_eq!(id_token["sub"], json!(self.user_id));

        // The userinfo endpoint's answer for the access token just issued.
        let issuer = Issuer {
            url: id_token["iss"].as_str().unwrap().to_string(),
        };
        let access_token = tokens["access_token"].as_str().unwrap();
        let (row, _) =
            usecases::oauth::live_access_token(&self.state, "default", &issuer, access_token)
                .await
                .unwrap()
                .expect("a live access token");
        let userinfo = oauth::userinfo(server, access_token).await.ok().clone();
        assert_eq!(userinfo["sub"], json!(self.user_id));

        let base = server.client.base.clone();
        let id = format!("_req{}", row.jti.replace('-', ""));
        let request = saml::authn_request(&base, &id, &saml::now(), "");
        let query = saml::redirect_query("SAMLRequest", &request, None, None);
        let first = self.browser.get(&format!("{SSO}?{query}")).await;
        let page = saml::through_login(&self.browser, first, USER).await;
        let (_, response, _) = saml::posted(&page, "SAMLResponse");
        assert!(response.contains("urn:oasis:names:tc:SAML:2.0:status:Success"));
        assert_eq!(
            saml_attribute(&response, "uid"),
            Some(vec![format!("{USER}-acct")])
        );
        let saml = Released {
            roles: saml_attribute(&response, "roles"),
            permissions: saml_attribute(&response, "permissions"),
        };

        let ticket = self.ticket().await;
        let answer =
            cas::validate_json(server, STANDARD, "p3/serviceValidate", SERVICE, &ticket, "").await;
        let success = &answer["serviceResponse"]["authenticationSuccess"];
        assert_eq!(success["user"], json!(format!("{USER}-acct")), "{answer}");
        let cas_json = from_json(success["attributes"].as_object().unwrap());

        let ticket = self.ticket().await;
        let path = format!(
            "{STANDARD}/serviceValidate?service={}&ticket={}",
            cas::encode(SERVICE),
            cas::encode(&ticket)
        );
        let (status, _, xml) = cas::call(server, &path).await;
        assert_eq!(status, 200);
        assert!(xml.contains("<cas:authenticationSuccess>"), "{xml}");
        let cas_xml = Released {
            roles: cas_xml_attribute(&xml, "roles"),
            permissions: cas_xml_attribute(&xml, "permissions"),
        };

        // samlValidate (SAML 1.1 over SOAP, as Apereo CAS offers it).
        let ticket = self.ticket().await;
        let envelope = format!(
            r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><samlp:Request xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" MajorVersion="1" MinorVersion="1" RequestID="_r1" IssueInstant="2024-01-01T00:00:00Z"><samlp:AssertionArtifact>{ticket}</samlp:AssertionArtifact></samlp:Request></SOAP-ENV:Body></SOAP-ENV:Envelope>"#
        );
        let url = format!(
            "{base}{STANDARD}/samlValidate?TARGET={}",
            cas::encode(SERVICE)
        );
        let soap = reqwest::Client::new()
            .post(url)
            .header("content-type", "text/xml; charset=utf-8")
            .body(envelope)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(soap.contains(r#"Value="saml1p:Success""#), "{soap}");
        let cas_saml = Released {
            roles: saml1_attribute(&soap, "roles"),
            permissions: saml1_attribute(&soap, "permissions"),
        };

        [
            ("ID token", from_json(id_token)),
            (
                "userinfo",
                from_json(userinfo.as_object().expect("a JSON object")),
            ),
            ("SAML assertion", saml),
            ("CAS JSON", cas_json),
            ("CAS XML", cas_xml),
            ("CAS samlValidate", cas_saml),
        ]
    }

    /// A service ticket from the signed-in browser.
    async fn ticket(&self) -> String {
        let login = cas::login_path(STANDARD, SERVICE);
        let hop = self.browser.follow(self.browser.get(&login).await).await;
        cas::ticket_of(&hop)
    }

    async fn assert_everywhere(&self, expected: &Released, when: &str) {
        for (protocol, released) in self.issued().await {
            assert_eq!(&released, expected, "{protocol}, {when}");
        }
    }

    async fn release(&self, release: &str) {
        let path = format!("/admin/v1/applications/{}", self.app.application_id);
        let body = json!({"protocols": protocols(release)});
        let reply = self
            .server
            .client
            .send(Method::PATCH, &path, Some(&self.token), Some(&body), &[])
            .await;
        reply.assert_status(200);
    }
}

async fn every_protocol_releases_the_same_roles_and_permissions_when_the_application_asks(
    engine: Engine,
) {
    let server = TestServer::start(engine).await;
    let state = AppState::new(server.store().clone(), server.config.clone())
        .with_clock(server.clock.clone());
    let ctx = usecases::context(
        "default",
        Metadata {
            surface: Some("test".into()),
            ..Default::default()
        },
    );
    let token = server.token().await;
    let created = server
        .client
        .post(
            "/admin/v1/applications",
            &token,
            json!({"name": "Portal", "app_roles": true, "protocols": protocols("roles_and_permissions")}),
        )
        .await;
    let body = created.assert_status(201);
    let app = SsoApp {
        application_id: body["application_id"].as_str().unwrap().to_string(),
        client_id: body["client_id"].as_str().unwrap().to_string(),
        client_secret: body["client_secret"].as_str().unwrap().to_string(),
    };
    let view = server
        .client
        .get(
            &format!("/admin/v1/applications/{}", app.application_id),
            &token,
        )
        .await;
    assert_eq!(
        view.assert_status(200)["protocols"]["release_authorization"],
        "roles_and_permissions"
    );
    let portal = app.application_id.clone();

    // The user: primary member of organisation P1, with an account in the application.
    let org = server
        .client
        .post(
            "/api/v2/tenant/organizations",
            &token,
            json!({"code": "P1", "name": "Portal office"}),
        )
        .await;
    let org = org.assert_status(201)["org_id"]
        .as_str()
        .unwrap()
        .to_string();
    let user = server
        .client
        .post(
            "/api/v2/tenant/users",
            &token,
            json!({"user_name": USER, "name": "Rolly", "mobile": "13600000017", "org_code": "P1",
                   "password": PASSWORD, "pwd_must_modify": false}),
        )
        .await;
    let user_id = user.assert_status(201)["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    let account = sso::account(&server, &token, &app, &user_id, &format!("{USER}-acct")).await;

    // Permissions: menu ─ menu:view, api.read, and data.off (disabled).
    let permission = |code: &str, parent: Option<&String>, kind: u8, enabled: bool| NewPermission {
        code: code.into(),
        name: format!("permission {code}"),
        parent_id: parent.cloned(),
        permission_type: kind,
        enabled,
        order: 0,
        remark: None,
    };
    let add = |new: NewPermission| authz::add_permission(&state, &ctx, &portal, new);
    let menu = add(permission("menu", None, 1, true)).await.unwrap();
    let menu_view = add(permission("menu:view", Some(&menu), 2, true))
        .await
        .unwrap();
    let api_read = add(permission("api.read", None, 3, true)).await.unwrap();
    let data_off = add(permission("data.off", None, 4, false)).await.unwrap();

    // auditor: directly; clerk: through P1; member: through the account, with a privilege.
    let new_roles = ["auditor", "clerk", "member"]
        .map(|code| NewRole {
            code: code.into(),
            name: None,
            remark: None,
        })
        .to_vec();
    let created = roles::create_roles(&state, &ctx, &portal, new_roles)
        .await
        .unwrap();
    let [auditor, clerk, member] = [&created[0], &created[1], &created[2]];
    authz::bind_user_roles(&state, &ctx, &portal, &user_id, vec![auditor.clone()], true)
        .await
        .unwrap();
    let clerk_key = RoleKey {
        role_id: Some(clerk.clone()),
        ..Default::default()
    };
    authz::bind_org_role(&state, &ctx, &portal, clerk_key, &org, false, true)
        .await
        .unwrap();
    server
        .client
        .post(
            &format!("/api/v2/tenant/applications/{portal}/role-member"),
            &token,
            json!({"role_id": member, "account_Ids": [account]}),
        )
        .await
        .assert_status(200);
    let export = usecases::privileges::define(
        &state,
        &ctx,
        &portal,
        "p.export".into(),
        "export".into(),
        vec![],
    )
    .await
    .unwrap();
    usecases::privileges::set_role_privileges(&state, &ctx, &portal, member, vec![export])
        .await
        .unwrap();
    for (role, permissions) in [
        (auditor, vec![api_read.clone(), data_off.clone()]),
        (clerk, vec![menu.clone(), menu_view.clone()]),
        (member, vec![menu_view.clone()]),
    ] {
        authz::bind_permissions(&state, &ctx, &portal, role, permissions, true)
            .await
            .unwrap();
    }

    // By hand: auditor (user), clerk (P1), member (account); api.read ← auditor, menu ← clerk,
    // menu:view ← clerk and member (once), data.off disabled; the privilege p.export ← member.
    let everything = Released::of(
        &["auditor", "clerk", "member"],
        &["api.read", "menu", "menu:view", "p.export"],
    );
    let answer = projections::effective::effective(state.pool(), "default", &portal, &user_id)
        .await
        .unwrap();
    assert_eq!(answer.role_codes(), ["auditor", "clerk", "member"]);
    let fixture = Fixture {
        browser: Browser::new(&server),
        server,
        state,
        ctx,
        token,
        app,
        user_id,
    };
    fixture
        .assert_everywhere(&everything, "roles_and_permissions")
        .await;

    // clerk is disabled meanwhile: gone, with menu which only it carried.
    let disable = RoleChange {
        enabled: Some(false),
        ..Default::default()
    };
    roles::configure_role(&fixture.state, &fixture.ctx, &portal, clerk, disable)
        .await
        .unwrap();
    let without_clerk = Released::of(
        &["auditor", "member"],
        &["api.read", "menu:view", "p.export"],
    );
    fixture
        .assert_everywhere(&without_clerk, "after clerk was disabled")
        .await;

    fixture.release("roles").await;
    fixture
        .assert_everywhere(&Released::of(&["auditor", "member"], &[]), "roles only")
        .await;

    fixture.release("none").await;
    fixture
        .assert_everywhere(&Released::of(&[], &[]), "released nothing")
        .await;

    fixture.server.assert_replay_identical().await;
    fixture.server.finish().await;
}

on_both_engines!(every_protocol_releases_the_same_roles_and_permissions_when_the_application_asks);
