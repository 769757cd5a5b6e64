//! Inspur application types (specs/inspur-idaas.md §2.8, ATYPE-01…09) at the printed paths (with
//! their doubled and tripled `/idaas/v1`) and the intended ones, with the document's example
//! bodies: create, dropdown, page with a `typeName` filter, detail, types by code, update (also
//! the status), verify (`true` = free to use) and the soft delete, after which a type is gone
//! everywhere and its code and name are free again.

use std::time::Duration;

use idaas_tests::inspur::{call, data};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

const PRINTED: &str = "/idaas/v1/idaas/v1/apptypes";
const INTENDED: &str = "/idaas/v1/apptypes";
/// ATYPE-01 is printed with the prefix three times.
const PRINTED_PAGE: &str = "/idaas/v1/idaas/v1/idaas/v1/apptypes/listapptypes/page";

async fn create(server: &TestServer, t: &str, body: Value) -> Value {
    data(&call(server, t, Method::POST, PRINTED, Some(body)).await)
}

/// A form-urlencoded `POST` with an empty form, as the document sends its verify requests.
async fn form_post(server: &TestServer, t: &str, path: &str) -> (u16, Value) {
    let addr = server.server.as_ref().expect("server running").addr;
    let response = reqwest::Client::new()
        .post(format!("http://{addr}{path}"))
        .bearer_auth(t)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[track_caller]
fn not_found(answer: &(u16, Value)) {
    let (status, envelope) = answer;
    assert_eq!(*status, 404, "{envelope}");
    assert_eq!(
        (&envelope["code"], &envelope["message"], &envelope["data"]),
        (&json!("404"), &json!("资源不存在"), &Value::Null),
        "{envelope}"
    );
    assert_eq!(envelope["status"], 404);
}

fn names(list: &Value) -> Vec<String> {
    let rows = list.as_array().expect("an array");
    rows.iter()
        .map(|r| r["typeName"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn app_types_are_created_found_updated_and_soft_deleted_at_both_paths(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    // ATYPE-04 with the document's body: the canonical shape, `accountId` the tenant (whatever
    // `a5tId` said), the legacy aliases, enabled and live.
    let body = json!({"typeName": "类别222", "a5tId": "abcde2", "typeCode": "type222", "description": "type222"});
    let created = create(&server, &t, body).await;
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    assert!(id
        .chars()
        .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
    for (field, value) in [
        ("typeName", "类别222"),
        ("typeCode", "type222"),
        ("description", "type222"),
        ("accountId", "default"),
        ("typeDeleteFlag", "0"),
        ("typeStatus", "1"),
        ("appName", "类别222"),
        ("appCode", "type222"),
        ("appDeleteFlag", "0"),
    ] {
        assert_eq!(created[field], value, "{field}: {created}");
    }
    assert!(created.get("a5tId").is_none(), "{created}");
    assert!(created["creator"].as_str().is_some_and(|c| !c.is_empty()));
    let created_time = created["createdTime"].as_str().unwrap();
    assert_eq!(created_time.len(), "2021-08-17 14:41:09".len(), "{created}");
    assert_eq!(created["updatedTime"], created_time);
    // The dropdown example's types, through the intended path and the real field name.
    for n in ["777", "888"] {
        let body = json!({"typeName": format!("类别{n}"), "accountId": "abcde2", "typeCode": format!("type{n}"), "description": format!("type{n}")});
        server.advance(Duration::from_secs(1));
        data(&call(&server, &t, Method::POST, INTENDED, Some(body)).await);
    }
    server.advance(Duration::from_secs(1));
    let web = create(
        &server,
        &t,
        json!({"typeName": "web", "typeCode": "web123", "description": "web应用类型"}),
    )
    .await;
    // ATYPE-03: an array of the enabled types, oldest first.
    for base in [PRINTED, INTENDED] {
        let list = data(&call(&server, &t, Method::GET, &format!("{base}/list"), None).await);
        assert_eq!(names(&list), ["类别222", "类别777", "类别888", "web"]);
    }
    // ATYPE-06 and ATYPE-07 (an array, also for one match).
    for base in [PRINTED, INTENDED] {
        let detail = data(&call(&server, &t, Method::GET, &format!("{base}/{id}"), None).await);
        assert_eq!(detail, created);
        let path = format!("{base}/getapptypeinfo/web123");
        let found = data(&call(&server, &t, Method::GET, &path, None).await);
        assert_eq!(found, json!([web]));
        let path = format!("{base}/getapptypeinfo/nothing");
        assert_eq!(
            data(&call(&server, &t, Method::GET, &path, None).await),
            json!([])
        );
    }
    // ATYPE-05 with the document's values: "成功", the updated type; then disabled, it leaves
    // the dropdown and stays in the page.
    server.advance(Duration::from_secs(5));
    let update = json!({"id": id, "typeName": "testUpdate", "typeCode": "app_testUpdate", "a5tId": "abcccc", "description": "description_testUpdate"});
    let answer = call(
        &server,
        &t,
        Method::POST,
        &format!("{PRINTED}/updateapptype"),
        Some(update),
    )
    .await;
    assert_eq!(answer.1["message"], "成功");
    let updated = data(&answer);
    assert_eq!(
        (
            &updated["typeCode"],
            &updated["appName"],
            &updated["typeStatus"]
        ),
        (&json!("app_testUpdate"), &json!("testUpdate"), &json!("1"))
    );
    assert_eq!(updated["createdTime"], created_time);
    assert_ne!(updated["updatedTime"], created_time);
    let stop = json!({"id": id, "typeStatus": "0"});
    let path = format!("{INTENDED}/updateapptype");
    let stopped = data(&call(&server, &t, Method::POST, &path, Some(stop)).await);
    assert_eq!(
        (&stopped["typeStatus"], &stopped["typeName"]),
        (&json!("0"), &json!("testUpdate"))
    );
    let list = data(&call(&server, &t, Method::GET, &format!("{INTENDED}/list"), None).await);
    assert_eq!(names(&list), ["类别777", "类别888", "web"]);
    let page = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("{PRINTED_PAGE}/1/10"),
            None,
        )
        .await,
    );
    assert_eq!(page["totalCount"], 4);
    // ATYPE-02: the type with its delete flag set; then it is nowhere, and its code and name
    // are free again.
    let gone = data(
        &call(
            &server,
            &t,
            Method::DELETE,
            &format!("{PRINTED}/{id}"),
            None,
        )
        .await,
    );
    assert_eq!(
        (&gone["id"], &gone["typeDeleteFlag"], &gone["appDeleteFlag"]),
        (&json!(id), &json!("1"), &json!("1"))
    );
    assert_eq!(gone["typeName"], "testUpdate");
    for base in [PRINTED, INTENDED] {
        not_found(&call(&server, &t, Method::GET, &format!("{base}/{id}"), None).await);
        not_found(&call(&server, &t, Method::DELETE, &format!("{base}/{id}"), None).await);
        let path = format!("{base}/getapptypeinfo/app_testUpdate");
        assert_eq!(
            data(&call(&server, &t, Method::GET, &path, None).await),
            json!([])
        );
        let path = format!("{base}/action/verify-appcode/app_testUpdate");
        assert_eq!(data(&form_post(&server, &t, &path).await), json!(true));
    }
    let again = json!({"id": id, "typeName": "x"});
    not_found(
        &call(
            &server,
            &t,
            Method::POST,
            &format!("{PRINTED}/updateapptype"),
            Some(again),
        )
        .await,
    );
    let page = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("{INTENDED}/listapptypes/page/1/10"),
            None,
        )
        .await,
    );
    assert_eq!(names(&page["data"]), ["web", "类别888", "类别777"]);
    assert_eq!(page["totalCount"], 3);
    let reborn = json!({"typeName": "testUpdate", "typeCode": "app_testUpdate"});
    let reborn = create(&server, &t, reborn).await;
    assert_ne!(reborn["id"], json!(id));
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(app_types_are_created_found_updated_and_soft_deleted_at_both_paths);

async fn codes_and_names_are_unique_among_live_types_and_verify_says_free(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let first = create(
        &server,
        &t,
        json!({"typeName": "类别222", "typeCode": "type222"}),
    )
    .await;
    let other = create(
        &server,
        &t,
        json!({"typeName": "类别333", "typeCode": "type333"}),
    )
    .await;
    for (body, message) in [
        (
            json!({"typeName": "类别222", "typeCode": "fresh"}),
            "应用类型名称已存在",
        ),
        (
            json!({"typeName": "fresh", "typeCode": "type222"}),
            "应用类型编码已存在",
        ),
    ] {
        for base in [PRINTED, INTENDED] {
            let refused = call(&server, &t, Method::POST, base, Some(body.clone())).await;
            assert_eq!((refused.0, &refused.1["message"]), (400, &json!(message)));
            assert_eq!(refused.1["code"], "400");
        }
    }
    // Renaming onto another type's name is refused, and nothing of the change is written.
    let steal = json!({"id": other["id"], "typeName": "类别222", "description": "d"});
    let refused = call(
        &server,
        &t,
        Method::POST,
        &format!("{PRINTED}/updateapptype"),
        Some(steal),
    )
    .await;
    assert_eq!(
        (refused.0, &refused.1["message"]),
        (400, &json!("应用类型名称已存在"))
    );
    let path = format!("{INTENDED}/{}", other["id"].as_str().unwrap());
    let unchanged = data(&call(&server, &t, Method::GET, &path, None).await);
    assert_eq!(unchanged["description"], Value::Null);
    // A type keeps its own name and code through an update that repeats them.
    let same = json!({"id": first["id"], "typeName": "类别222", "typeCode": "type222"});
    data(
        &call(
            &server,
            &t,
            Method::POST,
            &format!("{INTENDED}/updateapptype"),
            Some(same),
        )
        .await,
    );
    // ATYPE-08 and ATYPE-09 with the document's examples: `true` is free to use.
    for base in [PRINTED, INTENDED] {
        for (path, free) in [
            ("action/verify-appcode/type222", false),
            ("action/verify-appcode/type999", true),
            ("action/verify-apptypename/类别222", false),
            ("action/verify-apptypename/类别1111", true),
            ("action/verify-apptypename/type222", true),
        ] {
            let path = format!("{base}/{path}");
            assert_eq!(
                data(&form_post(&server, &t, &path).await),
                json!(free),
                "{path}"
            );
            let by_get = call(&server, &t, Method::GET, &path, None).await;
            assert_eq!(data(&by_get), json!(free), "{path}");
        }
    }
    let blank = form_post(
        &server,
        &t,
        &format!("{INTENDED}/action/verify-appcode/%20"),
    )
    .await;
    assert_eq!(blank.0, 400);
    // Once deleted, the name and code are free: verify says so and a new type takes them.
    let path = format!("{INTENDED}/{}", first["id"].as_str().unwrap());
    data(&call(&server, &t, Method::DELETE, &path, None).await);
    let path = format!("{INTENDED}/action/verify-apptypename/类别222");
    assert_eq!(data(&form_post(&server, &t, &path).await), json!(true));
    create(
        &server,
        &t,
        json!({"typeName": "类别222", "typeCode": "type222"}),
    )
    .await;
    server.finish().await;
}

on_both_engines!(codes_and_names_are_unique_among_live_types_and_verify_says_free);

async fn unknown_types_answer_the_not_found_envelope(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let unknown = "F8AC880ABF594EBDA59523FB86DDBF3A";
    for base in [PRINTED, INTENDED] {
        let path = format!("{base}/{unknown}");
        not_found(&call(&server, &t, Method::GET, &path, None).await);
        not_found(&call(&server, &t, Method::DELETE, &path, None).await);
        let update = json!({"id": unknown, "typeName": "x"});
        let path = format!("{base}/updateapptype");
        not_found(&call(&server, &t, Method::POST, &path, Some(update)).await);
    }
    server.finish().await;
}

on_both_engines!(unknown_types_answer_the_not_found_envelope);

async fn app_type_input_is_lenient_and_bad_input_is_refused_in_the_envelope(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    // Numbers for strings, a number for the status, blanks trimmed, unknown fields ignored.
    let body =
        json!({"typeName": 111, "typeCode": " 222 ", "typeStatus": 0, "a5tId": 5, "extra": true});
    let made = create(&server, &t, body).await;
    assert_eq!(
        (&made["typeName"], &made["typeCode"], &made["typeStatus"]),
        (&json!("111"), &json!("222"), &json!("0"))
    );
    let list = data(&call(&server, &t, Method::GET, &format!("{INTENDED}/list"), None).await);
    assert_eq!(list, json!([]), "a disabled type is not offered");
    let start = json!({"id": made["id"], "typeStatus": 1, "description": null});
    let path = format!("{INTENDED}/updateapptype");
    let started = data(&call(&server, &t, Method::POST, &path, Some(start)).await);
    assert_eq!(
        (&started["typeStatus"], &started["typeName"]),
        (&json!("1"), &json!("111"))
    );
    let long = "x".repeat(65);
    for (base, body, message) in [
        (
            PRINTED,
            json!({"typeCode": "c"}),
            "参数错误: typeName 不能为空",
        ),
        (
            INTENDED,
            json!({"typeName": " ", "typeCode": "c"}),
            "参数错误: typeName 不能为空",
        ),
        (
            PRINTED,
            json!({"typeName": "n"}),
            "参数错误: typeCode 不能为空",
        ),
        (
            INTENDED,
            json!({"typeName": "n", "typeCode": "c", "typeStatus": "2"}),
            "参数错误: typeStatus 为 1(启用) 或 0(禁用)",
        ),
        (
            PRINTED,
            json!({"typeName": long, "typeCode": "c"}),
            "参数错误: typeName 和 typeCode 为 1 到 64 个字符",
        ),
        (
            INTENDED,
            json!({"typeName": "n", "typeCode": "c", "description": "d".repeat(501)}),
            "参数错误: description 最多 500 个字符",
        ),
        (INTENDED, json!({"typeName": ["n"], "typeCode": "c"}), ""),
    ] {
        let answer = call(&server, &t, Method::POST, base, Some(body.clone())).await;
        assert_eq!(answer.0, 400, "{body}: {}", answer.1);
        assert_eq!(answer.1["code"], "400");
        assert_eq!(answer.1["data"], Value::Null);
        let said = answer.1["message"].as_str().unwrap();
        assert!(said.starts_with("参数错误"), "{said}");
        if !message.is_empty() {
            assert_eq!(said, message);
        }
    }
    let no_id = call(
        &server,
        &t,
        Method::POST,
        &path,
        Some(json!({"typeName": "n"})),
    )
    .await;
    assert_eq!(
        (no_id.0, &no_id.1["message"]),
        (400, &json!("参数错误: id 不能为空"))
    );
    // An empty body and a body that is no JSON.
    let addr = server.server.as_ref().unwrap().addr;
    for (path, body) in [(INTENDED, ""), (path.as_str(), "{not json")] {
        let response = reqwest::Client::new()
            .post(format!("http://{addr}{path}"))
            .bearer_auth(&t)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400);
        let envelope: Value = response.json().await.unwrap();
        assert_eq!(envelope["code"], "400", "{envelope}");
    }
    let page = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("{INTENDED}/listapptypes/page/1/10"),
            None,
        )
        .await,
    );
    assert_eq!(page["totalCount"], 1, "nothing refused was written");
    server.finish().await;
}

on_both_engines!(app_type_input_is_lenient_and_bad_input_is_refused_in_the_envelope);

async fn the_page_filters_by_type_name_anywhere_newest_first(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    for n in 1..=12 {
        server.advance(Duration::from_secs(1));
        create(
            &server,
            &t,
            json!({"typeName": format!("aaa-{n}"), "typeCode": format!("c{n}")}),
        )
        .await;
    }
    for (name, code) in [("111", "x1"), ("类别111x", "x2"), ("50%_off", "x3")] {
        server.advance(Duration::from_secs(1));
        create(&server, &t, json!({"typeName": name, "typeCode": code})).await;
    }
    // The document's example at its tripled path.
    let page = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("{PRINTED_PAGE}/1/10?typeName=111"),
            None,
        )
        .await,
    );
    assert_eq!(names(&page["data"]), ["类别111x", "111"]);
    assert_eq!(
        (
            &page["code"],
            &page["msg"],
            &page["pageNo"],
            &page["pageSize"],
            &page["totalCount"],
            &page["pages"]
        ),
        (
            &json!(1),
            &Value::Null,
            &json!(1),
            &json!(10),
            &json!(2),
            &json!(1)
        )
    );
    let first = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("{PRINTED_PAGE}/1/10?typeName=aaa"),
            None,
        )
        .await,
    );
    assert_eq!(
        (&first["totalCount"], &first["pages"]),
        (&json!(12), &json!(2))
    );
    assert_eq!(names(&first["data"])[..2], ["aaa-12", "aaa-11"]);
    let path = format!("{INTENDED}/listapptypes/page/2/10?typeName=aaa");
    let second = data(&call(&server, &t, Method::GET, &path, None).await);
    assert_eq!(names(&second["data"]), ["aaa-2", "aaa-1"]);
    // `%` and `_` are plain characters; a blank filter is no filter; past the end is empty.
    for (query, total) in [("%25", 1), ("_", 1), ("%20", 15), ("", 15), ("none", 0)] {
        let path = format!("{INTENDED}/listapptypes/page/1/5?typeName={query}");
        let page = data(&call(&server, &t, Method::GET, &path, None).await);
        assert_eq!(page["totalCount"], total, "{query}");
    }
    let past = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("{INTENDED}/listapptypes/page/9/10"),
            None,
        )
        .await,
    );
    assert_eq!(
        (&past["data"], &past["totalCount"]),
        (&json!([]), &json!(15))
    );
    for bad in ["0/10", "1/0", "x/10", "1/1001"] {
        let path = format!("{INTENDED}/listapptypes/page/{bad}");
        let answer = call(&server, &t, Method::GET, &path, None).await;
        assert_eq!((answer.0, &answer.1["code"]), (400, &json!("400")), "{bad}");
    }
    server.finish().await;
}

on_both_engines!(the_page_filters_by_type_name_anywhere_newest_first);
