//! User management end to end (specs/oneaccess.md §2.2 #2–#11, USER.* / PWD.* / PARAM.* codes).

use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

const USERS: &str = "/api/v2/tenant/users";
const ORGS: &str = "/api/v2/tenant/organizations";

async fn org(server: &TestServer, token: &str, code: &str) -> String {
    let reply = server
        .client
        .post(ORGS, token, json!({"code": code, "name": code}))
        .await;
    reply.assert_status(201)["org_id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn create_user(server: &TestServer, token: &str, body: Value) -> String {
    let reply = server.client.post(USERS, token, body).await;
    reply.assert_status(201)["user_id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn is_wire_time(value: &Value) -> bool {
    // yyyy-MM-dd HH:mm:ss.SSS
    value.as_str().is_some_and(|s| {
        s.len() == 23
            && s.as_bytes()[4] == b'-'
            && s.as_bytes()[10] == b' '
            && s.as_bytes()[19] == b'.'
    })
}

async fn a_user_is_created_with_the_documented_example_and_read_back(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let main = org(&server, &t, "10000").await;
    let org1 = org(&server, &t, "TestOrg1").await;
    let org2 = org(&server, &t, "TestOrg2").await;
    let body = json!({
        "user_name": "zhangsan", "password": "New#5678", "mobile": "12345678901", "org_code": "10000",
        "name": "张三", "email": "zhangsan@example.com", "employee_id": "E001",
        "first_name": "San", "middle_name": "M", "last_name": "Zhang", "pwd_must_modify": false,
        "attr_gender": "male", "attr_birthday": "1990-02-01", "attr_nick_name": "zs",
        "attr_identity_type": "id_card", "attr_identity_number": "110101199002010011",
        "attr_area": "CN", "attr_city": "Shenzhen", "attr_manager_id": "123456789",
        "attr_user_type": "regular", "attr_hire_date": "2020-01-01", "attr_work_place": "Bantian",
        "user_org_relation_list": [
            {"orgCode": "10000", "relationType": 1},
            {"orgCode": "TestOrg1", "relationType": 0},
            {"orgCode": "TestOrg2", "relationType": "0"}
        ],
        "extension": {"age": "18"}
    });
    let user_id = create_user(&server, &t, body).await;
    assert_eq!(user_id.len(), 32);
    let detail = server.client.get(&format!("{USERS}/{user_id}"), &t).await;
    let d = detail.assert_status(200);
    let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "user_id",
            "org_id",
            "user_name",
            "name",
            "mobile",
            "email",
            "pwd_must_modify",
            "pwd_change_at",
            "created_at",
            "updated_at",
            "disabled",
            "grade",
            "locked",
            "extension",
            "user_org_relation_list"
        ],
        "exactly the documented fields, in order"
    );
    assert_eq!(d["org_id"], json!(main));
    assert_eq!(d["user_name"], "zhangsan");
    assert_eq!(d["name"], "张三");
    assert_eq!(d["mobile"], "12345678901");
    assert_eq!(d["email"], "zhangsan@example.com");
    assert_eq!(d["pwd_must_modify"], false);
    assert_eq!(d["disabled"], false);
    assert_eq!(d["locked"], false);
    assert_eq!(d["grade"], 1);
    assert_eq!(d["extension"], json!({"age": "18"}));
    assert!(
        is_wire_time(&d["created_at"])
            && is_wire_time(&d["updated_at"])
            && is_wire_time(&d["pwd_change_at"])
    );
    let mut relations = d["user_org_relation_list"].as_array().unwrap().clone();
    assert_eq!(relations[0], json!({"org_id": main, "relation_type": 1}));
    relations.remove(0);
    relations.sort_by_key(|r| r["org_id"].as_str().unwrap().to_string());
    let mut expected = vec![
        json!({"org_id": org1, "relation_type": 0}),
        json!({"org_id": org2, "relation_type": 0}),
    ];
    expected.sort_by_key(|r| r["org_id"].as_str().unwrap().to_string());
    assert_eq!(relations, expected);

    let by_name = server
        .client
        .post(
            &format!("{USERS}/user-by-username"),
            &t,
            json!({"user_name": "ZhangSan"}),
        )
        .await;
    assert_eq!(by_name.assert_status(200), d);
    server
        .client
        .post(
            &format!("{USERS}/user-by-username"),
            &t,
            json!({"user_name": "nobody"}),
        )
        .await
        .assert_error("USER.0001");
    server
        .client
        .post(&format!("{USERS}/user-by-username"), &t, json!({}))
        .await
        .assert_error("USER.0008");
    server
        .client
        .get(&format!("{USERS}/nope"), &t)
        .await
        .assert_error("USER.0001");
    server
        .client
        .get(&format!("{USERS}/%20"), &t)
        .await
        .assert_error("USER.0061");
    server
        .client
        .put(&format!("{USERS}/%20/enable"), &t, json!({}))
        .await
        .assert_error("USER.0061");
    server.finish().await;
}

async fn defaults_place_the_user_under_the_first_root_and_name_it_by_username(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let first = org(&server, &t, "first").await;
    org(&server, &t, "second").await;
    let user_id = create_user(
        &server,
        &t,
        json!({"user_name": "lisi", "mobile": 13800138000u64}),
    )
    .await;
    let d = server
        .client
        .get(&format!("{USERS}/{user_id}"), &t)
        .await
        .body;
    assert_eq!(d["org_id"], json!(first));
    assert_eq!(d["name"], "lisi");
    assert_eq!(d["mobile"], "13800138000");
    assert_eq!(d["email"], Value::Null, "nulls are written out");
    assert_eq!(d["pwd_must_modify"], true, "default true");
    assert_eq!(d["pwd_change_at"], Value::Null);
    assert_eq!(
        d["user_org_relation_list"],
        json!([{"org_id": first, "relation_type": 1}])
    );
    server.finish().await;
}

async fn updates_are_partial_and_enable_disable_delete_work(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    org(&server, &t, "A").await;
    let b = org(&server, &t, "B").await;
    let id = create_user(
        &server,
        &t,
        json!({"user_name": "wangwu", "mobile": "13900000000", "email": "ww@example.com"}),
    )
    .await;
    let path = format!("{USERS}/{id}");
    let before = server.client.get(&path, &t).await.body;
    let reply = server
        .client
        .put(
            &path,
            &t,
            json!({"mobile": "13900000001", "name": "王五", "org_code": "B", "email": ""}),
        )
        .await;
    assert_eq!(reply.assert_status(200), &json!({"user_id": id}));
    let after = server.client.get(&path, &t).await.body;
    assert_eq!(after["mobile"], "13900000001");
    assert_eq!(after["name"], "王五");
    assert_eq!(
        after["email"], "ww@example.com",
        "an empty value leaves the attribute unchanged"
    );
    assert_eq!(after["org_id"], json!(b));
    assert_eq!(after["pwd_must_modify"], before["pwd_must_modify"]);
    assert_eq!(after["created_at"], before["created_at"]);
    // The released mobile number is free again; the new one is taken.
    create_user(
        &server,
        &t,
        json!({"user_name": "other", "mobile": "13900000000"}),
    )
    .await;
    server
        .client
        .post(
            USERS,
            &t,
            json!({"user_name": "third", "mobile": "13900000001"}),
        )
        .await
        .assert_error("USER.0030");
    // Relations replace.
    server
        .client
        .put(&path, &t, json!({"user_org_relation_list": [{"orgCode": "A", "relationType": 1}, {"orgCode": "B", "relationType": 0}]}))
        .await
        .assert_status(200);
    let relations = server.client.get(&path, &t).await.body["user_org_relation_list"].clone();
    assert_eq!(relations.as_array().unwrap().len(), 2);

    assert_eq!(
        server
            .client
            .put(&format!("{path}/disable"), &t, json!({}))
            .await
            .assert_status(200),
        &json!({"user_id": id})
    );
    assert_eq!(server.client.get(&path, &t).await.body["disabled"], true);
    server
        .client
        .put(&format!("{path}/disable"), &t, json!({}))
        .await
        .assert_status(200);
    server
        .client
        .put(&format!("{path}/enable"), &t, json!({}))
        .await
        .assert_status(200);
    assert_eq!(server.client.get(&path, &t).await.body["disabled"], false);

    let deleted = server.client.delete(&path, &t).await;
    assert_eq!(deleted.status.as_u16(), 204);
    assert!(deleted.text.is_empty());
    server.client.get(&path, &t).await.assert_error("USER.0001");
    for action in ["enable", "disable"] {
        server
            .client
            .put(&format!("{path}/{action}"), &t, json!({}))
            .await
            .assert_error("USER.0001");
    }
    server
        .client
        .put(&path, &t, json!({"name": "x"}))
        .await
        .assert_error("USER.0001");
    server
        .client
        .delete(&path, &t)
        .await
        .assert_error("USER.0001");
    // Its username is free again.
    create_user(
        &server,
        &t,
        json!({"user_name": "wangwu", "mobile": "13900000009"}),
    )
    .await;
    server.finish().await;
}

async fn bad_user_input_gets_the_documented_codes(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    org(&server, &t, "O1").await;
    create_user(
        &server,
        &t,
        json!({"user_name": "taken", "mobile": "13000000000", "email": "taken@example.com",
               "employee_id": "E1", "attr_identity_number": "ID1"}),
    )
    .await;
    let base = |extra: Value| {
        let mut body = json!({"user_name": "fresh", "mobile": "13000000001"});
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                body.as_object_mut().unwrap().remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        body
    };
    let mut cases = vec![
        (base(json!({"user_name": null})), "USER.0008"),
        (base(json!({"user_name": ""})), "USER.0008"),
        (base(json!({"mobile": null})), "USER.0010"),
        (base(json!({"user_name": "Taken"})), "USER.0029"),
        (base(json!({"mobile": "13000000000"})), "USER.0030"),
        (base(json!({"email": "TAKEN@example.com"})), "USER.0031"),
        (base(json!({"attr_identity_number": "ID1"})), "USER.0032"),
        (base(json!({"employee_id": "E1"})), "USER.0033"),
        (base(json!({"user_name": "has space"})), "USER.0036"),
        (base(json!({"name": " padded"})), "USER.0037"),
        (base(json!({"mobile": "call-me"})), "USER.0038"),
        (base(json!({"email": "no-at-sign"})), "USER.0039"),
        (base(json!({"first_name": "f".repeat(65)})), "USER.0040"),
        (base(json!({"middle_name": "m".repeat(65)})), "USER.0041"),
        (base(json!({"last_name": "l\u{1}"})), "USER.0042"),
        (base(json!({"attr_nick_name": " nick"})), "USER.0043"),
        (base(json!({"attr_birthday": "1990-02-30"})), "USER.0044"),
        (base(json!({"attr_identity_number": "身份证"})), "USER.0047"),
        (base(json!({"attr_city": "c".repeat(129)})), "USER.0049"),
        (base(json!({"attr_manager_id": "boss man"})), "USER.0052"),
        (base(json!({"attr_work_place": "w\u{7}"})), "USER.0055"),
        (base(json!({"attr_gender": "robot"})), "USER.0045"),
        (base(json!({"attr_identity_type": "passport"})), "USER.0046"),
        (base(json!({"attr_area": "China"})), "USER.0048"),
        (base(json!({"employee_id": "E 2"})), "USER.0050"),
        (base(json!({"attr_user_type": "boss"})), "USER.0053"),
        (base(json!({"attr_hire_date": "2020/01/01"})), "USER.0054"),
        (
            base(json!({"extension": {"nested": {"x": 1}}})),
            "USER.0056",
        ),
        (base(json!({"org_code": "no-such-org"})), "ORG.0001"),
        (
            base(json!({"user_org_relation_list": [{"orgCode": "nope", "relationType": 1}]})),
            "ORG.0001",
        ),
        (
            base(json!({"user_org_relation_list": [{"orgCode": "O1", "relationType": 0}]})),
            "PARAM.0029",
        ),
        (
            base(json!({"user_org_relation_list": [{"orgCode": "O1", "relationType": 7}]})),
            "PARAM.0029",
        ),
        (
            base(json!({"user_org_relation_list": [{"relationType": 1}]})),
            "PARAM.0029",
        ),
        (base(json!({"password": "short"})), "PWD.0007"),
        (base(json!({"password": "12345678"})), "PWD.0004"),
        (base(json!({"password": "Password"})), "PWD.0005"),
        (base(json!({"password": "P@ssw0rd2024"})), "PWD.0005"),
        (base(json!({"password": "Fresh#A1x"})), "PWD.0003"),
        (base(json!({"password": "Aaaaa#12"})), "PWD.0006"),
        (base(json!({"pwd_must_modify": "maybe"})), "PARAM.0000"),
    ];
    let mut many = vec![json!({"orgCode": "O1", "relationType": 1})];
    for i in 0..10 {
        let code = format!("S{i}");
        org(&server, &t, &code).await;
        many.push(json!({"orgCode": code, "relationType": 0}));
    }
    cases.push((base(json!({"user_org_relation_list": many})), "PARAM.0029"));
    for (body, code) in cases {
        server.client.post(USERS, &t, body).await.assert_error(code);
    }
    let reversed = server
        .client
        .post(
            USERS,
            &t,
            json!({"user_name": "abcdefgh", "mobile": "13000000002", "password": "hgfedcba"}),
        )
        .await;
    reversed.assert_error("PWD.0002");
    let message = server
        .client
        .post(USERS, &t, base(json!({"password": "Aaaaa#12"})))
        .await;
    assert_eq!(
        message.body["error_msg"],
        "Max. 3 identical characters in password."
    );
    let message = server
        .client
        .post(USERS, &t, base(json!({"password": "x"})))
        .await;
    assert_eq!(
        message.body["error_msg"],
        "Password must be 8 to 128 characters."
    );
    let malformed = server
        .client
        .send(
            Method::POST,
            USERS,
            Some(&t),
            None,
            &[("content-type", "application/json")],
        )
        .await;
    malformed.assert_error("USER.0008");
    let broken = reqwest::Client::new()
        .post(format!("{}{USERS}", server.client.base))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{\"user_name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status().as_u16(), 400);
    let body: Value = broken.json().await.unwrap();
    assert_eq!(body["error_code"], "PARAM.0000");
    // NUL characters are refused up front on both engines, never a 500.
    for body in [
        json!({"user_name": "a\u{0}b", "mobile": "13000000003"}),
        json!({"user_name": "ok", "mobile": "1\u{0}"}),
    ] {
        server
            .client
            .post(USERS, &t, body)
            .await
            .assert_error("PARAM.0000");
    }
    server
        .client
        .post(
            &format!("{USERS}/user-by-username"),
            &t,
            json!({"user_name": "a\u{0}b"}),
        )
        .await
        .assert_error("PARAM.0000");
    server
        .client
        .get(&format!("{USERS}/a%00b"), &t)
        .await
        .assert_error("PARAM.0000");
    server
        .client
        .put(&format!("{USERS}/a%00b/enable"), &t, json!({}))
        .await
        .assert_error("PARAM.0000");
    server
        .client
        .get(&format!("{USERS}?org_id=a%00b&offset=0&limit=10"), &t)
        .await
        .assert_error("PARAM.0000");
    server
        .client
        .post(
            ORGS,
            &t,
            json!({"code": "x", "name": "x", "parent_id": "x\u{0}"}),
        )
        .await
        .assert_error("PARAM.0000");
    // Nothing partial was written by any of the refusals.
    let list = server
        .client
        .get(&format!("{USERS}?org_id=&offset=0&limit=10"), &t)
        .await;
    assert_eq!(list.body["total"], 1);
    server.finish().await;
}

async fn passwords_change_by_reset_and_by_proof_of_the_old_one(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let id = create_user(
        &server,
        &t,
        json!({"user_name": "zhaoliu", "mobile": "13100000000", "password": "Old@1234"}),
    )
    .await;
    let path = format!("{USERS}/{id}");
    let verify = format!("{path}/change-password-verify");
    let reset = format!("{path}/change-password");
    let created_change_at = server.client.get(&path, &t).await.body["pwd_change_at"].clone();
    server
        .client
        .put(&verify, &t, json!({"password": "New#5678"}))
        .await
        .assert_error("PARAM.0018");
    server
        .client
        .put(&verify, &t, json!({"old_password": "Old@1234"}))
        .await
        .assert_error("PARAM.0019");
    server
        .client
        .put(
            &verify,
            &t,
            json!({"old_password": "Old@1234", "password": "Old@1234"}),
        )
        .await
        .assert_error("PARAM.0020");
    server
        .client
        .put(
            &verify,
            &t,
            json!({"old_password": "Wrong@123", "password": "New#5678"}),
        )
        .await
        .assert_error("PARAM.0028");
    server
        .client
        .put(
            &verify,
            &t,
            json!({"old_password": "Old@1234", "password": "weak"}),
        )
        .await
        .assert_error("PWD.0007");
    let ok = server
        .client
        .put(
            &verify,
            &t,
            json!({"password": "New#5678", "old_password": "Old@1234"}),
        )
        .await;
    assert_eq!(ok.assert_status(200), &json!({"user_id": id}));
    let after = server.client.get(&path, &t).await.body;
    assert_eq!(after["pwd_must_modify"], false);
    assert_ne!(after["pwd_change_at"], created_change_at);
    // The old password no longer proves anything; the history refuses reuse.
    server
        .client
        .put(
            &verify,
            &t,
            json!({"old_password": "Old@1234", "password": "Other#987"}),
        )
        .await
        .assert_error("PARAM.0028");
    server
        .client
        .put(&reset, &t, json!({"password": "Old@1234"}))
        .await
        .assert_error("PWD.0001");
    server
        .client
        .put(&reset, &t, json!({}))
        .await
        .assert_error("PWD.0008");
    server
        .client
        .put(
            &reset,
            &t,
            json!({"password": "12345678", "pwd_must_modify": false}),
        )
        .await
        .assert_error("PWD.0004");
    let reset_ok = server
        .client
        .put(
            &reset,
            &t,
            json!({"password": "Reset#2468", "pwd_must_modify": true}),
        )
        .await;
    assert_eq!(reset_ok.assert_status(200), &json!({"user_id": id}));
    assert_eq!(
        server.client.get(&path, &t).await.body["pwd_must_modify"],
        true
    );
    server
        .client
        .put(
            &verify,
            &t,
            json!({"old_password": "Reset#2468", "password": "Final#1357"}),
        )
        .await
        .assert_status(200);
    server
        .client
        .put(
            &format!("{USERS}/nobody/change-password"),
            &t,
            json!({"password": "Reset#2468"}),
        )
        .await
        .assert_error("USER.0001");
    server.finish().await;
}

async fn listing_pages_users_and_filters_by_organisation(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let a = org(&server, &t, "A").await;
    org(&server, &t, "B").await;
    let mut in_b = Vec::new();
    for i in 0..13 {
        let code = if i % 3 == 0 { "B" } else { "A" };
        let id = create_user(&server, &t, json!({"user_name": format!("u{i:02}"), "mobile": format!("1500000{i:04}"), "org_code": code})).await;
        if code == "B" {
            in_b.push(id);
        }
    }
    // A secondary member of A.
    server
        .client
        .put(&format!("{USERS}/{}", in_b[0]), &t, json!({"user_org_relation_list": [{"orgCode": "B", "relationType": 1}, {"orgCode": "A", "relationType": 0}]}))
        .await
        .assert_status(200);
    let page0 = server
        .client
        .get(&format!("{USERS}?org_id=&offset=0&limit=10"), &t)
        .await;
    assert_eq!(page0.body["total"], 13);
    let names: Vec<&str> = page0.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["u00", "u01", "u02", "u03", "u04", "u05", "u06", "u07", "u08", "u09"]
    );
    let page1 = server
        .client
        .get(&format!("{USERS}?offset=1&limit=10"), &t)
        .await;
    assert_eq!(page1.body["users"].as_array().unwrap().len(), 3);
    let of_a = server
        .client
        .get(&format!("{USERS}?org_id={a}&offset=0&limit=100"), &t)
        .await;
    assert_eq!(of_a.body["total"], 9, "8 primary members and 1 secondary");
    let none = server
        .client
        .get(&format!("{USERS}?org_id=unknown&offset=0&limit=10"), &t)
        .await;
    assert_eq!(none.body["total"], 0);
    for bad in ["limit=5", "limit=1000", "offset=x&limit=10"] {
        server
            .client
            .get(&format!("{USERS}?{bad}"), &t)
            .await
            .assert_error("PAGE.0001");
    }
    // An organisation with users cannot be deleted.
    server
        .client
        .delete(&format!("{ORGS}/{a}"), &t)
        .await
        .assert_error("ORG.0016");
    server.finish().await;
}

/// The request example of specs/oneaccess.md §2.2 #2 (seed 000, 3.1.3.1), verbatim.
async fn the_documented_create_example_is_accepted_verbatim(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    for code in ["10000", "TestOrg1", "TestOrg2"] {
        org(&server, &t, code).await;
    }
    let example = r#"{
        "user_name": "zhangsan", "password": "P@ssw0rd", "org_code": "10000", "name": "zhangsan",
        "mobile": "12345678901", "email": "zhangsan@example.com", "employee_id": "123456789",
        "pwd_must_modify": false, "first_name": "F", "middle_name": "M", "last_name": "L",
        "attr_gender": "male", "attr_birthday": "1990-02-01", "attr_nick_name": "zhangsan",
        "attr_identity_type": "id_card", "attr_identity_number": "123456789", "attr_area": "CN",
        "attr_city": "xxx", "attr_manager_id": "123456789", "attr_user_type": "regular",
        "attr_hire_date": "2021-04-01", "attr_work_place": "xxx",
        "user_org_relation_list": [
            {"orgCode": "10000", "relationType": 1},
            {"orgCode": "TestOrg1", "relationType": 0},
            {"orgCode": "TestOrg2", "relationType": 0}
        ],
        "extension": {"age": "18"}
    }"#;
    let reply = reqwest::Client::new()
        .post(format!("{}{USERS}", server.client.base))
        .bearer_auth(&t)
        .header("content-type", "application/json;charset=utf8")
        .body(example)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 201);
    assert_eq!(
        reply.headers()["content-type"],
        "application/json;charset=UTF-8"
    );
    let body: Value = reply.json().await.unwrap();
    let user_id = body["user_id"].as_str().unwrap();
    let by_name = server
        .client
        .post(
            &format!("{USERS}/user-by-username"),
            &t,
            json!({"user_name": "zhangsan"}),
        )
        .await;
    assert_eq!(by_name.assert_status(200)["user_id"], user_id);
    assert_eq!(
        by_name.body["user_org_relation_list"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(by_name.body["extension"], json!({"age": "18"}));
    // The change-password-verify example of §2.2 #8 after a reset to its old password.
    let path = format!("{USERS}/{user_id}");
    server
        .client
        .put(
            &format!("{path}/change-password"),
            &t,
            json!({"password": "Old@1234", "pwd_must_modify": false}),
        )
        .await
        .assert_status(200);
    server
        .client
        .put(
            &format!("{path}/change-password-verify"),
            &t,
            json!({"password": "New#5678", "old_password": "Old@1234"}),
        )
        .await
        .assert_status(200);
    server.finish().await;
}

on_both_engines!(
    the_documented_create_example_is_accepted_verbatim,
    a_user_is_created_with_the_documented_example_and_read_back,
    defaults_place_the_user_under_the_first_root_and_name_it_by_username,
    updates_are_partial_and_enable_disable_delete_work,
    bad_user_input_gets_the_documented_codes,
    passwords_change_by_reset_and_by_proof_of_the_old_one,
    listing_pages_users_and_filters_by_organisation,
);
