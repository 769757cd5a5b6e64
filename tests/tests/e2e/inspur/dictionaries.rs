//! Inspur dictionaries and their items (specs/inspur-idaas.md §2.13–§2.14, DICT-01…06 and
//! DI-01…04) with the document's example bodies: the printed shapes, uniqueness and the verify
//! answers (`true` = free to use), unknown ids, lenient numbers and the page order.

use std::time::Duration;

use idaas_tests::inspur::{call, data};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

const DICT: &str = "/idaas/v1/dict";
const ITEMS: &str = "/idaas/v1/dictitems";

async fn post(server: &TestServer, t: &str, path: &str, body: Value) -> (u16, Value) {
    call(server, t, Method::POST, path, Some(body)).await
}

async fn get(server: &TestServer, t: &str, path: &str) -> (u16, Value) {
    call(server, t, Method::GET, path, None).await
}

/// A verify answer at its documented path (a POST without a body).
async fn free(server: &TestServer, t: &str, path: &str) -> Value {
    data(&call(server, t, Method::POST, path, None).await)
}

fn keys(object: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = object
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort_unstable();
    keys
}

/// The Dict example of DICT-01 (L2940), without what the server decides (id, times, creator).
fn seed_dict() -> Value {
    json!({"dictCode": "dict3_code", "dictName": "字典3", "dictOrder": "1", "dictStatus": "1",
        "description": "字典3"})
}

async fn dictionaries_are_created_read_paged_and_updated_as_the_document_shows(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let creator = json!(server.credentials.application_id);
    // DICT-01 for the three dictionaries of the DICT-05 example, a minute apart.
    let mut ids = Vec::new();
    for (code, name) in [("dict2_code", "字典2"), ("dict111_code", "字典111")] {
        let body = json!({"dictCode": code, "dictName": name, "dictOrder": "1",
            "dictStatus": "1", "description": name});
        let made = data(&post(&server, &t, DICT, body).await);
        ids.push(made["id"].as_str().unwrap().to_string());
        server.advance(Duration::from_secs(60));
    }
    let answer = post(&server, &t, DICT, seed_dict()).await;
    assert_eq!(answer.1["message"], "ok");
    let dict = data(&answer);
    let id = dict["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    assert_eq!(id, id.to_uppercase(), "upper-case hex");
    assert_eq!(
        keys(&dict),
        [
            "createdTime",
            "creator",
            "description",
            "dictCode",
            "dictName",
            "dictOrder",
            "dictStatus",
            "dictType",
            "id",
            "referenceStandard",
            "updatedTime"
        ]
    );
    let mut expected = seed_dict();
    for (key, value) in [
        ("id", json!(id)),
        ("dictType", Value::Null),
        ("referenceStandard", Value::Null),
        ("creator", creator.clone()),
        ("createdTime", dict["createdTime"].clone()),
        ("updatedTime", dict["createdTime"].clone()),
    ] {
        expected[key] = value;
    }
    assert_eq!(dict, expected);
    assert_eq!(
        dict["createdTime"].as_str().unwrap().len(),
        19,
        "yyyy-MM-dd HH:mm:ss"
    );
    // DICT-02: the same object, and its items (none yet).
    let read = data(&get(&server, &t, &format!("{DICT}/{id}")).await);
    let mut with_items = dict.clone();
    with_items["items"] = json!([]);
    assert_eq!(read, with_items);
    // DICT-05: the example's order, the most recently changed first, in its row shape.
    let page = data(&get(&server, &t, &format!("{DICT}/listdicts/page/1/10")).await);
    assert_eq!(
        (page["code"].clone(), page["totalCount"].clone()),
        (json!(1), json!(3))
    );
    let codes = |page: &Value| -> Vec<String> {
        let rows = page["data"].as_array().unwrap();
        rows.iter()
            .map(|r| r["dictCode"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(codes(&page), ["dict3_code", "dict111_code", "dict2_code"]);
    assert_eq!(
        page["data"][0],
        json!({"updatedTime": dict["updatedTime"], "dictStatus": "1", "dictCode": "dict3_code",
            "dictOrder": "1", "description": "字典3", "dictName": "字典3", "id": id})
    );
    // DICT-06 with the example's changes: "成功", the rest kept, changed later than made.
    server.advance(Duration::from_secs(60));
    let change = json!({"id": id, "dictCode": "dict33_code", "dictName": "字典33",
        "description": "字典33"});
    let answer = post(&server, &t, &format!("{DICT}/updatedict"), change).await;
    assert_eq!(answer.1["message"], "成功");
    let updated = data(&answer);
    assert_eq!(
        (
            &updated["dictCode"],
            &updated["dictName"],
            &updated["dictOrder"]
        ),
        (&json!("dict33_code"), &json!("字典33"), &json!("1"))
    );
    assert_eq!(updated["createdTime"], dict["createdTime"]);
    assert_ne!(updated["updatedTime"], dict["updatedTime"]);
    // A change moves a dictionary to the front of the page; pages split as asked.
    server.advance(Duration::from_secs(60));
    let touch = json!({"id": ids[0], "description": "字典2 改"});
    data(&post(&server, &t, &format!("{DICT}/updatedict"), touch).await);
    let first = data(&get(&server, &t, &format!("{DICT}/listdicts/page/1/2")).await);
    assert_eq!(
        (first["pages"].clone(), codes(&first)),
        (
            json!(2),
            vec!["dict2_code".to_string(), "dict33_code".into()]
        )
    );
    let second = data(&get(&server, &t, &format!("{DICT}/listdicts/page/2/2")).await);
    assert_eq!(codes(&second), ["dict111_code"]);
    // The optional fuzzy filters.
    let by_name = data(
        &get(
            &server,
            &t,
            &format!("{DICT}/listdicts/page/1/10?dictName=111"),
        )
        .await,
    );
    assert_eq!(codes(&by_name), ["dict111_code"]);
    let by_code = data(
        &get(
            &server,
            &t,
            &format!("{DICT}/listdicts/page/1/10?dictCode=dict3"),
        )
        .await,
    );
    assert_eq!(codes(&by_code), ["dict33_code"]);
    let none = data(
        &get(
            &server,
            &t,
            &format!("{DICT}/listdicts/page/1/10?dictCode=t%25_c"),
        )
        .await,
    );
    assert_eq!(none["totalCount"], 0, "% and _ match themselves");
    // DI-01 and DI-02 with the examples (the get example's order "1").
    let body = json!({"dictId": id, "dictItemTag": "字典33_Tag1", "dictItemValue": "dict33_value1",
        "dictItemOrder": "1", "dictStatus": "1", "description": "字典33_item1"});
    let item = data(&post(&server, &t, ITEMS, body).await);
    let item_id = item["id"].as_str().unwrap().to_string();
    assert_eq!(item_id.len(), 32);
    let expected = json!({"id": item_id, "dictId": id, "dictItemTag": "字典33_Tag1",
        "dictItemValue": "dict33_value1", "dictItemOrder": "1", "dictStatus": "1",
        "createdTime": item["createdTime"], "updatedTime": item["createdTime"],
        "creator": creator, "description": "字典33_item1"});
    assert_eq!(item, expected);
    let read = data(&get(&server, &t, &format!("{ITEMS}/{item_id}")).await);
    assert_eq!(read, expected);
    // DICT-02 lists the items by order, then tag (unordered last).
    for (tag, value, order) in [
        ("b", "v-b", json!(null)),
        ("a", "v-a", json!("2")),
        ("c", "v-c", json!("0")),
    ] {
        let body = json!({"dictId": id, "dictItemTag": tag, "dictItemValue": value, "dictItemOrder": order});
        data(&post(&server, &t, ITEMS, body).await);
    }
    let read = data(&get(&server, &t, &format!("{DICT}/{id}")).await);
    let tags: Vec<&str> = read["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["dictItemTag"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["c", "字典33_Tag1", "a", "b"]);
    assert_eq!(read["items"][3]["dictItemOrder"], Value::Null);
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn codes_names_tags_and_values_are_unique_and_verified(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let dict = data(&post(&server, &t, DICT, seed_dict()).await);
    let id = dict["id"].as_str().unwrap().to_string();
    // DICT-03/DICT-04 (the examples answer for a taken value: false).
    assert_eq!(
        free(
            &server,
            &t,
            &format!("{DICT}/action/verify-dictcode/dict3_code")
        )
        .await,
        json!(false)
    );
    assert_eq!(
        free(&server, &t, &format!("{DICT}/action/verify-dictname/字典3")).await,
        json!(false)
    );
    assert_eq!(
        free(
            &server,
            &t,
            &format!("{DICT}/action/verify-dictcode/dict4_code")
        )
        .await,
        json!(true)
    );
    assert_eq!(
        free(&server, &t, &format!("{DICT}/action/verify-dictname/字典4")).await,
        json!(true)
    );
    // A code or a name taken is refused, each with its own message.
    for (body, message) in [
        (
            json!({"dictCode": "dict3_code", "dictName": "字典4"}),
            "字典编码已存在",
        ),
        (
            json!({"dictCode": "dict4_code", "dictName": "字典3"}),
            "字典名称已存在",
        ),
    ] {
        let refused = post(&server, &t, DICT, body).await;
        assert_eq!(
            (refused.0, refused.1["message"].clone()),
            (400, json!(message))
        );
        assert_eq!(refused.1["code"], "400");
    }
    let other = data(
        &post(
            &server,
            &t,
            DICT,
            json!({"dictCode": "dict4_code", "dictName": "字典4"}),
        )
        .await,
    );
    let other_id = other["id"].as_str().unwrap().to_string();
    let rename = json!({"id": other_id, "dictName": "字典3"});
    let refused = post(&server, &t, &format!("{DICT}/updatedict"), rename).await;
    assert_eq!(
        (refused.0, refused.1["message"].clone()),
        (400, json!("字典名称已存在"))
    );
    // A renamed dictionary frees its old name.
    data(
        &post(
            &server,
            &t,
            &format!("{DICT}/updatedict"),
            json!({"id": id, "dictName": "字典33"}),
        )
        .await,
    );
    assert_eq!(
        free(&server, &t, &format!("{DICT}/action/verify-dictname/字典3")).await,
        json!(true)
    );
    // Items: tag and value unique within their dictionary, free to reuse in another.
    let item =
        json!({"dictId": id, "dictItemTag": "字典33_Tag1", "dictItemValue": "dict33_value1"});
    data(&post(&server, &t, ITEMS, item).await);
    for (body, message) in [
        (
            json!({"dictId": id, "dictItemTag": "字典33_Tag1", "dictItemValue": "v2"}),
            "该字典下字典项Tag已存在",
        ),
        (
            json!({"dictId": id, "dictItemTag": "t2", "dictItemValue": "dict33_value1"}),
            "该字典下字典项Value已存在",
        ),
    ] {
        let refused = post(&server, &t, ITEMS, body).await;
        assert_eq!(
            (refused.0, refused.1["message"].clone()),
            (400, json!(message))
        );
    }
    for (body, missing) in [
        (json!({"dictId": id, "dictItemValue": "v3"}), "dictItemTag"),
        (
            json!({"dictId": id, "dictItemTag": "t3", "dictItemValue": " "}),
            "dictItemValue",
        ),
        (
            json!({"dictItemTag": "t3", "dictItemValue": "v3"}),
            "dictId",
        ),
    ] {
        let refused = post(&server, &t, ITEMS, body).await;
        assert_eq!(refused.0, 400, "{missing}");
        assert!(
            refused.1["message"].as_str().unwrap().contains(missing),
            "{}",
            refused.1
        );
    }
    let elsewhere =
        json!({"dictId": other_id, "dictItemTag": "字典33_Tag1", "dictItemValue": "dict33_value1"});
    data(&post(&server, &t, ITEMS, elsewhere).await);
    // DI-03/DI-04 have no dictionary scope: a tag or value of any dictionary is taken; `dictId`
    // narrows the question to one dictionary.
    let tag = format!("{ITEMS}/action/verify-dictitemtag/字典33_Tag1");
    let value = format!("{ITEMS}/action/verify-dictitemvalue/dict33_value1");
    assert_eq!(free(&server, &t, &tag).await, json!(false));
    assert_eq!(free(&server, &t, &value).await, json!(false));
    assert_eq!(
        free(
            &server,
            &t,
            &format!("{ITEMS}/action/verify-dictitemtag/Tag9")
        )
        .await,
        json!(true)
    );
    assert_eq!(
        free(
            &server,
            &t,
            &format!("{ITEMS}/action/verify-dictitemvalue/value9")
        )
        .await,
        json!(true)
    );
    let third = data(
        &post(
            &server,
            &t,
            DICT,
            json!({"dictCode": "c5", "dictName": "n5"}),
        )
        .await,
    );
    let third = third["id"].as_str().unwrap();
    assert_eq!(
        free(&server, &t, &format!("{tag}?dictId={third}")).await,
        json!(true)
    );
    assert_eq!(
        free(&server, &t, &format!("{value}?dictId={id}")).await,
        json!(false)
    );
    server.finish().await;
}

async fn unknown_ids_and_lenient_numbers(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let unknown = "6D403BAA1C4A45618C4F3BE5DC83F56B";
    // An item of a dictionary that does not exist: 400 with a Chinese message, nothing written.
    let body =
        json!({"dictId": unknown, "dictItemTag": "字典33_Tag1", "dictItemValue": "dict33_value1"});
    let refused = post(&server, &t, ITEMS, body).await;
    assert_eq!(
        (refused.0, refused.1["message"].clone()),
        (400, json!("字典不存在"))
    );
    assert_eq!(refused.1["data"], Value::Null);
    let tag = format!("{ITEMS}/action/verify-dictitemtag/字典33_Tag1");
    assert_eq!(free(&server, &t, &tag).await, json!(true));
    // Unknown ids read and change as 404 envelopes.
    for path in [format!("{DICT}/{unknown}"), format!("{ITEMS}/{unknown}")] {
        let (status, envelope) = get(&server, &t, &path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(
            (
                envelope["code"].clone(),
                envelope["message"].clone(),
                envelope["status"].clone()
            ),
            (json!("404"), json!("资源不存在"), json!(404))
        );
    }
    let missing = post(
        &server,
        &t,
        &format!("{DICT}/updatedict"),
        json!({"id": unknown, "dictName": "x"}),
    )
    .await;
    assert_eq!(missing.0, 404);
    let no_id = post(
        &server,
        &t,
        &format!("{DICT}/updatedict"),
        json!({"dictName": "x"}),
    )
    .await;
    assert_eq!(no_id.0, 400);
    // Orders and statuses as numbers come back as strings; a status of 0 is kept.
    let body = json!({"dictCode": 7, "dictName": "字典7", "dictOrder": 2, "dictStatus": 0});
    let dict = data(&post(&server, &t, DICT, body).await);
    assert_eq!(
        (&dict["dictCode"], &dict["dictOrder"], &dict["dictStatus"]),
        (&json!("7"), &json!("2"), &json!("0"))
    );
    let id = dict["id"].as_str().unwrap();
    let change = json!({"id": id, "dictOrder": "5", "dictStatus": 1});
    let changed = data(&post(&server, &t, &format!("{DICT}/updatedict"), change).await);
    assert_eq!(
        (&changed["dictOrder"], &changed["dictStatus"]),
        (&json!("5"), &json!("1"))
    );
    let item = json!({"dictId": id, "dictItemTag": "t", "dictItemValue": 10, "dictItemOrder": 3, "dictStatus": "0"});
    let item = data(&post(&server, &t, ITEMS, item).await);
    assert_eq!(
        (
            &item["dictItemValue"],
            &item["dictItemOrder"],
            &item["dictStatus"]
        ),
        (&json!("10"), &json!("3"), &json!("0"))
    );
    // Unset, the order is null and the status enabled.
    let bare = data(
        &post(
            &server,
            &t,
            DICT,
            json!({"dictCode": "bare", "dictName": "bare"}),
        )
        .await,
    );
    assert_eq!(
        (
            &bare["dictOrder"],
            &bare["dictStatus"],
            &bare["description"]
        ),
        (&Value::Null, &json!("1"), &Value::Null)
    );
    // What is not a number, or not a status, is a parameter error.
    for body in [
        json!({"dictCode": "x1", "dictName": "x1", "dictOrder": "first"}),
        json!({"dictCode": "x2", "dictName": "x2", "dictStatus": 5}),
        json!({"dictName": "x3"}),
    ] {
        let refused = post(&server, &t, DICT, body.clone()).await;
        assert_eq!(refused.0, 400, "{body}");
        assert!(
            refused.1["message"]
                .as_str()
                .unwrap()
                .starts_with("参数错误"),
            "{}",
            refused.1
        );
    }
    server.finish().await;
}

on_both_engines!(
    dictionaries_are_created_read_paged_and_updated_as_the_document_shows,
    codes_names_tags_and_values_are_unique_and_verified,
    unknown_ids_and_lenient_numbers,
);
