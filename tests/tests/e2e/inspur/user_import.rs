//! Inspur account import (specs/inspur-idaas.md §2.6 USR-06, USR-09): the template downloads as
//! an `.xlsx` attachment; a filled-in workbook posted as a multipart `file` (or as the body, at
//! the printed `GET`) creates its good rows and reports the others by line with the reason.

use idaas_tests::inspur::{call, data};
use idaas_tests::sso::PASSWORD;
use idaas_tests::{on_both_engines, Engine, TestServer};
use inspur::sheet::{self, COLUMNS};
use reqwest::Method;
use rust_xlsxwriter::Workbook;
use serde_json::{json, Value};

use super::user_accounts::{organ_and_type, signs_in};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn workbook(rows: &[[&str; 10]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (column, title) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, column as u16, *title).unwrap();
    }
    for (line, row) in rows.iter().enumerate() {
        for (column, cell) in row.iter().enumerate() {
            if column == 2 && !cell.is_empty() {
                // A phone number typed as a number, as spreadsheets do.
                let number: f64 = cell.parse().unwrap();
                sheet.write_number(line as u32 + 1, 2, number).unwrap();
            } else {
                sheet
                    .write_string(line as u32 + 1, column as u16, *cell)
                    .unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// Posts a workbook as the `file` part of a multipart body (or, without `multipart`, as the
/// whole body with `method`); status and envelope.
async fn upload(
    server: &TestServer,
    token: &str,
    method: Method,
    bytes: Vec<u8>,
    multipart: bool,
) -> (u16, Value) {
    let addr = server.server.as_ref().expect("server running").addr;
    let url = format!("http://{addr}/idaas/v1/user/userInfoImport");
    let request = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(token);
    let request = if multipart {
        let boundary = "----idaas-test-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nx\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"users.xlsx\"\r\n\
             Content-Type: {XLSX}\r\n\r\n"
        )
        .into_bytes();
        body.extend(bytes);
        body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
        request
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
    } else {
        request.header("content-type", XLSX).body(bytes)
    };
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn accounts_are_imported_row_by_row(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (organ, user_type) = organ_and_type(&server, &t).await;
    // USR-06: the template, an attachment outside the envelope, with the columns.
    let addr = server.server.as_ref().unwrap().addr;
    let template = reqwest::Client::new()
        .get(format!("http://{addr}/idaas/v1/user/modelDown"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(template.status(), 200);
    assert_eq!(template.headers()["content-type"], XLSX);
    assert_eq!(
        template.headers()["content-disposition"],
        "attachment; filename=\"userTemplate.xlsx\""
    );
    let bytes = template.bytes().await.unwrap();
    assert_eq!(sheet::rows(&bytes), Err(sheet::SheetError::NoDataRows));
    // USR-09: rows naming the organisation and type by code or id; two are refused.
    let rows = [
        [
            "imp1",
            "导入一",
            "13900000031",
            "imp1@example.com",
            PASSWORD,
            "2099-12-31 23:59:59",
            "RD",
            "staff",
            "E-1",
            "第一",
        ],
        [
            "imp1",
            "重名",
            "13900000032",
            "",
            PASSWORD,
            "2099-12-31",
            "RD",
            "staff",
            "",
            "",
        ],
        [
            "imp3",
            "无手机",
            "",
            "",
            PASSWORD,
            "2099-12-31",
            "RD",
            "staff",
            "",
            "",
        ],
        [
            "imp4",
            "导入四",
            "13900000034",
            "",
            PASSWORD,
            "2099-12-31",
            organ.as_str(),
            user_type.as_str(),
            "",
            "",
        ],
        [
            "imp5",
            "无组织",
            "13900000035",
            "",
            PASSWORD,
            "2099-12-31",
            "NOPE",
            "staff",
            "",
            "",
        ],
    ];
    let (status, envelope) = upload(&server, &t, Method::POST, workbook(&rows), true).await;
    assert_eq!(status, 200, "{envelope}");
    assert_eq!(envelope["message"], "导入完成: 成功 2 条, 失败 3 条");
    let report = &envelope["data"];
    assert_eq!(
        (
            report["total"].clone(),
            report["success"].clone(),
            report["fail"].clone()
        ),
        (json!(5), json!(2), json!(3))
    );
    let errors: Vec<(Value, Value, Value)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].clone(),
                e["accountName"].clone(),
                e["message"].clone(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (json!(3), json!("imp1"), json!("账户名称已存在")),
            (json!(4), json!("imp3"), json!("参数错误: phone 不能为空")),
            (json!(6), json!("imp5"), json!("组织机构不存在")),
        ]
    );
    let path = "/idaas/v1/user/page/1/10?userTypeId=".to_string() + &user_type;
    let page = data(&call(&server, &t, Method::POST, &path, None).await);
    let made: Vec<(Value, Value, Value, Value)> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["accountName"].clone(),
                u["phone"].clone(),
                u["createdType"].clone(),
                u["organName"].clone(),
            )
        })
        .collect();
    assert_eq!(
        made,
        [
            (
                json!("imp1"),
                json!("13900000031"),
                json!("1"),
                json!("研发")
            ),
            (
                json!("imp4"),
                json!("13900000034"),
                json!("1"),
                json!("研发")
            ),
        ]
    );
    assert!(signs_in(&server, "imp4", PASSWORD).await);
    // The printed GET with the workbook as the body; a file that is no workbook.
    let more = [[
        "imp6",
        "导入六",
        "13900000036",
        "",
        PASSWORD,
        "2099-12-31",
        "RD",
        "staff",
        "",
        "",
    ]];
    let (status, envelope) = upload(&server, &t, Method::GET, workbook(&more), false).await;
    assert_eq!(
        (status, envelope["message"].clone()),
        (200, json!("ok")),
        "{envelope}"
    );
    let garbage = upload(&server, &t, Method::POST, b"not a workbook".to_vec(), true).await;
    assert_eq!(
        (garbage.0, garbage.1["message"].clone()),
        (400, json!("参数错误: 文件不是有效的 xlsx 工作簿"))
    );
    server.finish().await;
}

on_both_engines!(accounts_are_imported_row_by_row);
