//! Inspur extended fields (specs/inspur-idaas.md §2.3, EXT-01…07) and dropdown options (§2.4,
//! DDL-01…05), with the document's example bodies (numbers in, strings out).

use idaas_tests::inspur::{call, data};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::json;

async fn extended_fields_and_their_options(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    // EXT-03 with the document's body.
    let body = json!({"fieldName":"extend_col_3","fieldValue":"extend_col_3","fieldClassification":0,
        "fieldType":1,"isRequired":1,"isEditable":1,"isUnique":0,"fieldStatus":1,"description":"extend_col_3"});
    let text = data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/extendedfields",
            Some(body),
        )
        .await,
    );
    let text_id = text["id"].as_str().unwrap().to_string();
    assert_eq!(
        (
            text["fieldClassification"].clone(),
            text["fieldType"].clone(),
            text["isRequired"].clone()
        ),
        (json!("0"), json!("1"), json!("1"))
    );
    let dup = json!({"fieldName":"extend_col_3","fieldClassification":0,"fieldType":1});
    let refused = call(
        &server,
        &t,
        Method::POST,
        "/idaas/v1/extendedfields",
        Some(dup),
    )
    .await;
    assert_eq!(refused.0, 400);
    let same_name_other_class =
        json!({"fieldName":"extend_col_3","fieldClassification":"2","fieldType":"1"});
    data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/extendedfields",
            Some(same_name_other_class),
        )
        .await,
    );
    let habit = json!({"fieldName":"habit","fieldClassification":0,"fieldType":0});
    let habit = data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/extendedfields",
            Some(habit),
        )
        .await,
    );
    let habit_id = habit["id"].as_str().unwrap().to_string();
    assert_eq!(
        (habit["fieldValue"].clone(), habit["isEditable"].clone()),
        (json!("habit"), json!("1"))
    );
    // EXT-04: the class and type stay; "成功".
    let update = json!({"id": text_id, "fieldName":"extend_col_111","fieldStatus":0,"fieldClassification":2});
    let updated = call(
        &server,
        &t,
        Method::POST,
        "/idaas/v1/extendedfields/updateExtendedField",
        Some(update),
    )
    .await;
    assert_eq!(updated.1["message"], "成功");
    let updated = data(&updated);
    assert_eq!(
        (
            updated["fieldName"].clone(),
            updated["fieldStatus"].clone(),
            updated["fieldClassification"].clone()
        ),
        (json!("extend_col_111"), json!("0"), json!("0"))
    );
    // EXT-06 at the printed double-slash path; EXT-02 enabled only; EXT-05 paged, filtered.
    let detail = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/extendedfields//{text_id}"),
            None,
        )
        .await,
    );
    assert_eq!(detail["fieldName"], "extend_col_111");
    let enabled = data(
        &call(
            &server,
            &t,
            Method::GET,
            "/idaas/v1/extendedfields/listfields?fieldClassification=0",
            None,
        )
        .await,
    );
    let names: Vec<&str> = enabled
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fieldName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["habit"]);
    let page = data(
        &call(
            &server,
            &t,
            Method::GET,
            "/idaas/v1/extendedfields/listextendedfields/page/1/3?fieldName=extend_col",
            None,
        )
        .await,
    );
    assert_eq!(page["totalCount"], 2);
    let page = data(
        &call(
            &server,
            &t,
            Method::GET,
            "/idaas/v1/extendedfields/listextendedfields/page/1/3?fieldClassification=0",
            None,
        )
        .await,
    );
    assert_eq!(page["totalCount"], 2);
    // EXT-07.
    let free = data(
        &call(
            &server,
            &t,
            Method::GET,
            "/idaas/v1/extendedfields/0/action/verify-fieldname/habit",
            None,
        )
        .await,
    );
    assert_eq!(free, json!(false));
    let free = data(
        &call(
            &server,
            &t,
            Method::GET,
            "/idaas/v1/extendedfields/1/action/verify-fieldname/habit",
            None,
        )
        .await,
    );
    assert_eq!(free, json!(true));
    // DDL-01 batch (a JSON array), DDL-02, DDL-04, DDL-03, DDL-05.
    let batch = json!([{"extendedFieldId": habit_id, "fieldName":"habit","label":"越南","value":"越南","status":1},
                       {"extendedFieldId": habit_id, "fieldName":"habit","label":"印度","value":"印度","status":1}]);
    let created = data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/dropdownlist/batch",
            Some(batch),
        )
        .await,
    );
    assert_eq!(created.as_array().unwrap().len(), 2);
    assert_eq!(created[0]["status"], "1");
    let one = json!({"extendedFieldId": habit_id, "label":"加拿大","value":"加拿大","status":1});
    let canada = data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/dropdownlist",
            Some(one),
        )
        .await,
    );
    assert_eq!(canada["fieldName"], "habit", "filled from the field");
    let again = json!({"extendedFieldId": habit_id, "label":"加拿大","value":"x"});
    assert_eq!(
        call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/dropdownlist",
            Some(again)
        )
        .await
        .0,
        400
    );
    let on_text = json!({"extendedFieldId": text_id, "label":"a","value":"a"});
    assert_eq!(
        call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/dropdownlist",
            Some(on_text)
        )
        .await
        .0,
        400
    );
    let off = json!({"id": canada["id"], "status": 0});
    let switched = data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/dropdownlist/update",
            Some(off),
        )
        .await,
    );
    assert_eq!(switched["status"], "0");
    let options = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/dropdownlist/{habit_id}"),
            None,
        )
        .await,
    );
    let labels: Vec<&str> = options
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["越南", "印度", "加拿大"],
        "disabled ones too, in order"
    );
    let verify =
        format!("/idaas/v1/dropdownlist/{habit_id}/action/verify-labelname/%E4%B8%AD%E5%9B%BD");
    assert_eq!(
        data(&call(&server, &t, Method::POST, &verify, None).await),
        json!(true)
    );
    let verify =
        format!("/idaas/v1/dropdownlist/{habit_id}/action/verify-labelname/%E5%8D%B0%E5%BA%A6");
    assert_eq!(
        data(&call(&server, &t, Method::POST, &verify, None).await),
        json!(false)
    );
    // EXT-01: the field and its options go.
    let deleted = data(
        &call(
            &server,
            &t,
            Method::DELETE,
            &format!("/idaas/v1/extendedfields/{habit_id}"),
            None,
        )
        .await,
    );
    assert_eq!(deleted["fieldName"], "habit");
    assert_eq!(
        call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/dropdownlist/{habit_id}"),
            None
        )
        .await
        .0,
        404
    );
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(extended_fields_and_their_options);
