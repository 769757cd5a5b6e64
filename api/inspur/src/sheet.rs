//! The account-import spreadsheet (specs/inspur-idaas.md §2.6): USR-06 builds the `.xlsx`
//! template that `GET /idaas/v1/user/modelDown` serves, USR-09 reads an uploaded workbook for
//! `POST /idaas/v1/user/userInfoImport` into one [`SheetRow`] per non-empty line. Pure: bytes
//! in, bytes or rows out; checking the rows and creating the accounts is the caller's job.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Cursor;

use calamine::{DataRef, ExcelDateTime, Reader, SheetType, Xlsx};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// The template's columns, in order; a trailing `*` marks a required one.
pub const COLUMNS: [&str; 10] = [
    "账户名称*",
    "显示名称*",
    "手机号*",
    "邮箱",
    "密码*",
    "过期时间*",
    "组织机构*",
    "账户类型*",
    "外部ID",
    "描述",
];
pub const SHEET_NAME: &str = "账户导入";
/// Each row costs a password hash: a thousand rows keep an import within seconds.
pub const MAX_ROWS: usize = 1000;
/// Bounds checked before calamine opens a workbook (see [`precheck`]).
const MAX_INFLATED_BYTES: u64 = 64 * 1024 * 1024;
const MAX_SHARED_STRINGS: u64 = 200_000;

const NOTES_SHEET: &str = "说明";
/// Column widths in Excel character units; a Chinese character takes about two.
const WIDTHS: [f64; 10] = [16.0, 16.0, 15.0, 26.0, 16.0, 21.0, 22.0, 14.0, 18.0, 30.0];
/// What goes in each of [`COLUMNS`], for the instructions sheet.
const NOTES: [&str; 10] = [
    "登录用的账户名称,租户内唯一。",
    "显示给用户和管理员的名称。",
    "11 位中国大陆手机号,如 13800138000。",
    "电子邮箱,如 zhangsan@example.com。",
    "初始密码,须符合本租户的密码策略。",
    "账户过期时间,格式 yyyy-MM-dd HH:mm:ss 或 yyyy-MM-dd,如 2030-12-31 23:59:59。",
    "所属组织机构的编码或 ID。",
    "账户类型的编码或 ID。",
    "外部系统中的账户标识。",
    "备注。",
];
const GENERAL_NOTES: [&str; 3] = [
    "第一行是表头,请勿修改或删除;数据从第二行开始,空行会被跳过。",
    "带 * 的列必填,其余列可留空。",
    "所有列都按文本填写,手机号、外部ID、过期时间不要改成数字或日期格式。",
];

/// One account row as read from the sheet: `line` is the row's number as a spreadsheet shows
/// it (header is line 1, so data starts at 2); every cell as trimmed text ("" when empty).
#[derive(Clone, PartialEq, Default)]
pub struct SheetRow {
    pub line: usize,
    pub account_name: String,
    pub nick_name: String,
    pub phone: String,
    pub email: String,
    pub password: String,
    pub expiration_time: String,
    pub organization: String,
    pub user_type: String,
    pub external_id: String,
    pub description: String,
}

/// By hand so that the password never reaches a log (STYLE.md: no secret in logs).
impl fmt::Debug for SheetRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SheetRow")
            .field("line", &self.line)
            .field("account_name", &self.account_name)
            .field("nick_name", &self.nick_name)
            .field("phone", &self.phone)
            .field("email", &self.email)
            .field("password", &"***")
            .field("expiration_time", &self.expiration_time)
            .field("organization", &self.organization)
            .field("user_type", &self.user_type)
            .field("external_id", &self.external_id)
            .field("description", &self.description)
            .finish()
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SheetError {
    #[error("文件不是有效的 xlsx 工作簿")]
    NotXlsx,
    #[error("工作簿中没有工作表")]
    NoSheet,
    /// `column` counts from 1, as a spreadsheet user does.
    #[error("表头与模板不一致: 第 {column} 列应为 {expected}")]
    WrongHeader {
        column: usize,
        expected: &'static str,
    },
    #[error("一次最多导入 {} 行", MAX_ROWS)]
    TooManyRows,
    #[error("没有数据行")]
    NoDataRows,
    #[error("文件解压后过大或字符串过多")]
    TooLarge,
    /// The writer's own message, for the log; the client only sees the fixed text.
    #[error("生成导入模板失败")]
    Template(String),
}

/// The import template (USR-06): the [`SHEET_NAME`] sheet with the bold header row
/// [`COLUMNS`] and an instructions sheet "说明". The writer's input is constant, so this does
/// not fail in practice (a test builds it), but its errors are passed on rather than unwrapped.
pub fn template() -> Result<Vec<u8>, SheetError> {
    build_template().map_err(|e| SheetError::Template(e.to_string()))
}

fn build_template() -> Result<Vec<u8>, XlsxError> {
    let bold = Format::new().set_bold();
    // Every column is text ("@"), not only phone, external id and expiry: account names such
    // as "007" and passwords such as "123456" would otherwise turn into numbers as well.
    // 49 is Excel's built-in Text format ("@").
    let text = Format::new().set_num_format_index(49);
    let wrap = Format::new().set_text_wrap();
    let mut workbook = Workbook::new();

    let sheet = workbook.add_worksheet().set_name(SHEET_NAME)?;
    for (col, (name, width)) in (0u16..).zip(COLUMNS.into_iter().zip(WIDTHS)) {
        sheet
            .set_column_width(col, width)?
            .set_column_format(col, &text)?
            .write_string_with_format(0, col, name, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;

    let notes = workbook.add_worksheet().set_name(NOTES_SHEET)?;
    notes
        .set_column_width(0, 14)?
        .set_column_width(1, 10)?
        .set_column_width(2, 80)?
        .set_column_format(2, &wrap)?;
    for (col, title) in (0u16..).zip(["列", "是否必填", "说明"]) {
        notes.write_string_with_format(0, col, title, &bold)?;
    }
    for (row, (name, note)) in (1u32..).zip(COLUMNS.into_iter().zip(NOTES)) {
        let required = name.ends_with('*');
        notes
            .write_string(row, 0, name.trim_end_matches('*'))?
            .write_string(row, 1, if required { "必填" } else { "选填" })?
            .write_string(row, 2, note)?;
    }
    let first = COLUMNS.len() as u32 + 2;
    notes.write_string_with_format(first, 0, "注意事项", &bold)?;
    let limit = format!("一次最多导入 {MAX_ROWS} 行。");
    for (row, note) in (first..).zip(GENERAL_NOTES.into_iter().chain([limit.as_str()])) {
        notes.write_string(row, 2, note)?;
    }
    workbook.save_to_buffer()
}

/// The account rows of an uploaded workbook (USR-09), from its first worksheet. The header
/// (line 1) must be [`COLUMNS`], with or without the `*` marks; cells right of the tenth column
/// are ignored and fully empty rows skipped. Cells are streamed, so a sheet that claims
/// a million rows costs no more memory than [`MAX_ROWS`] of them. Run it off the async threads.
pub fn rows(bytes: &[u8]) -> Result<Vec<SheetRow>, SheetError> {
    // calamine 0.38 reads cell references with unchecked arithmetic, so `r="A99999999999"`
    // panics wherever overflow checks are on (debug builds, tests); an upload must not.
    precheck(bytes)?;
    std::panic::catch_unwind(|| read(bytes)).unwrap_or(Err(SheetError::NotXlsx))
}

/// calamine inflates each part whole and reserves room for as many strings as the shared
/// strings part declares, so a few hundred crafted bytes could ask for gigabytes — an
/// allocation failure aborts the process, which `catch_unwind` cannot stop. The archive's
/// declared sizes and the declared string counts are checked first.
fn precheck(bytes: &[u8]) -> Result<(), SheetError> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| SheetError::NotXlsx)?;
    let mut inflated = 0u64;
    let mut strings = Vec::new();
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(|_| SheetError::NotXlsx)?;
        inflated = inflated.saturating_add(entry.size());
        if inflated > MAX_INFLATED_BYTES {
            return Err(SheetError::TooLarge);
        }
        let name = entry.name().map_err(|_| SheetError::NotXlsx)?;
        if name.to_ascii_lowercase().contains("sharedstrings") {
            strings.push(index);
        }
    }
    for index in strings {
        let entry = archive.by_index(index).map_err(|_| SheetError::NotXlsx)?;
        let mut head = Vec::with_capacity(4096);
        entry
            .take(4096)
            .read_to_end(&mut head)
            .map_err(|_| SheetError::NotXlsx)?;
        let head = String::from_utf8_lossy(&head);
        for attribute in ["uniqueCount=\"", "count=\""] {
            for (at, _) in head.match_indices(attribute) {
                let digits: String = head[at + attribute.len()..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                let count = digits.parse::<u64>().unwrap_or(u64::MAX);
                if count > MAX_SHARED_STRINGS {
                    return Err(SheetError::TooLarge);
                }
            }
        }
    }
    Ok(())
}

fn read(bytes: &[u8]) -> Result<Vec<SheetRow>, SheetError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| SheetError::NotXlsx)?;
    let name = workbook
        .sheets_metadata()
        .iter()
        .find(|sheet| sheet.typ == SheetType::WorkSheet)
        .map(|sheet| sheet.name.clone())
        .ok_or(SheetError::NoSheet)?;
    let mut cells = workbook
        .worksheet_cells_reader(&name)
        .map_err(|_| SheetError::NotXlsx)?;

    let mut header: [String; 10] = Default::default();
    // Keyed by the 0-based row, so rows come out in sheet order even if the XML is not.
    let mut lines: BTreeMap<u32, [String; 10]> = BTreeMap::new();
    while let Some(cell) = cells.next_cell().map_err(|_| SheetError::NotXlsx)? {
        let (row, col) = cell.get_position();
        let Some(col) = usize::try_from(col).ok().filter(|&c| c < COLUMNS.len()) else {
            continue;
        };
        let value = text(cell.get_value());
        if value.is_empty() {
            continue;
        }
        if row == 0 {
            header[col] = value;
            continue;
        }
        if lines.len() == MAX_ROWS && !lines.contains_key(&row) {
            check_header(&header)?;
            return Err(SheetError::TooManyRows);
        }
        lines.entry(row).or_default()[col] = value;
    }
    check_header(&header)?;
    if lines.is_empty() {
        return Err(SheetError::NoDataRows);
    }
    Ok(lines
        .into_iter()
        .map(|(row, cells)| sheet_row(row as usize + 1, cells))
        .collect())
}

fn check_header(header: &[String; 10]) -> Result<(), SheetError> {
    let bare = |name: &str| name.trim_end_matches(['*', '＊']).trim_end().to_string();
    for (column, (found, expected)) in (1..).zip(header.iter().zip(COLUMNS)) {
        if bare(found) != bare(expected) {
            return Err(SheetError::WrongHeader { column, expected });
        }
    }
    Ok(())
}

fn sheet_row(line: usize, cells: [String; 10]) -> SheetRow {
    let [account_name, nick_name, phone, email, password, expiration_time, organization, user_type, external_id, description] =
        cells;
    SheetRow {
        line,
        account_name,
        nick_name,
        phone,
        email,
        password,
        expiration_time,
        organization,
        user_type,
        external_id,
        description,
    }
}

/// A cell as the text a person would read in it.
fn text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::String(s) | DataRef::DurationIso(s) => s.trim().to_string(),
        DataRef::SharedString(s) => s.trim().to_string(),
        DataRef::DateTimeIso(s) => s.trim().replacen('T', " ", 1),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) if d.is_datetime() => datetime(d),
        DataRef::DateTime(d) => number(d.as_f64()),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

/// `Display` prints a whole float without a fraction (13800138000.0 as "13800138000") and any
/// other the shortest way that reads back the same; only -0 needs help.
fn number(f: f64) -> String {
    if f == 0.0 {
        "0".to_string()
    } else {
        f.to_string()
    }
}

/// An Excel date as `yyyy-MM-dd HH:mm:ss`, `yyyy-MM-dd` at midnight, or `HH:mm:ss` for a bare
/// time; the serial-number arithmetic (epochs, the 1900 leap-year bug) is calamine's.
fn datetime(d: &ExcelDateTime) -> String {
    let (year, month, day, hour, minute, second, _) = d.to_ymd_hms_milli();
    let time = format!("{hour:02}:{minute:02}:{second:02}");
    if (0.0..1.0).contains(&d.as_f64()) {
        time
    } else if (hour, minute, second) == (0, 0, 0) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02} {time}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::Data;
    use rust_xlsxwriter::ExcelDateTime as WriterDateTime;

    fn header(sheet: &mut rust_xlsxwriter::Worksheet, names: [&str; 10]) {
        for (col, name) in (0u16..).zip(names) {
            sheet.write_string(0, col, name).unwrap();
        }
    }

    fn workbook_with_account_names(count: u32) -> Vec<u8> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        header(sheet, COLUMNS);
        for row in 1..=count {
            sheet.write_string(row, 0, format!("user{row}")).unwrap();
        }
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn the_template_has_the_header_and_no_data_rows() {
        let bytes = template().unwrap();
        assert_eq!(rows(&bytes), Err(SheetError::NoDataRows));

        let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(&bytes[..])).unwrap();
        assert_eq!(workbook.sheet_names(), [SHEET_NAME, NOTES_SHEET]);
        let range = workbook.worksheet_range(SHEET_NAME).unwrap();
        let first: Vec<_> = range.rows().next().unwrap().to_vec();
        assert_eq!(first, COLUMNS.map(|c| Data::String(c.to_string())));
        let notes = workbook.worksheet_range(NOTES_SHEET).unwrap();
        assert_eq!(
            notes.get_value((6, 2)),
            Some(&Data::String(NOTES[5].to_string()))
        );
    }

    #[test]
    fn a_filled_in_workbook_reads_as_trimmed_text_rows_with_their_line_numbers() {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        header(sheet, COLUMNS);
        let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        let date = Format::new().set_num_format("yyyy-mm-dd");
        for (col, value) in (0u16..).zip(["  zhangsan ", "张三", "", "zs@example.com", "Pa55word!"])
        {
            sheet.write_string(1, col, value).unwrap();
        }
        sheet.write_number(1, 2, 13_800_138_000.0).unwrap();
        let expiry = WriterDateTime::parse_from_str("2030-12-31 23:59:59").unwrap();
        sheet
            .write_datetime_with_format(1, 5, &expiry, &datetime)
            .unwrap();
        for (col, value) in (6u16..).zip(["ORG01", "staff", "", "第一行"]) {
            sheet.write_string(1, col, value).unwrap();
        }
        sheet.write_string(2, 0, "   ").unwrap(); // blank text only: an empty row
        sheet.write_string(3, 0, "lisi").unwrap();
        sheet.write_string(3, 2, "13900139000").unwrap();
        let day = WriterDateTime::parse_from_str("2031-01-01").unwrap();
        sheet.write_datetime_with_format(3, 5, &day, &date).unwrap();
        sheet.write_number(3, 8, 12.5).unwrap();
        sheet.write_boolean(3, 9, true).unwrap();
        sheet
            .write_string(3, 10, "ignored: right of the template")
            .unwrap();
        let bytes = workbook.save_to_buffer().unwrap();

        let expected = vec![
            SheetRow {
                line: 2,
                account_name: "zhangsan".into(),
                nick_name: "张三".into(),
                phone: "13800138000".into(),
                email: "zs@example.com".into(),
                password: "Pa55word!".into(),
                expiration_time: "2030-12-31 23:59:59".into(),
                organization: "ORG01".into(),
                user_type: "staff".into(),
                external_id: String::new(),
                description: "第一行".into(),
            },
            SheetRow {
                line: 4,
                account_name: "lisi".into(),
                phone: "13900139000".into(),
                expiration_time: "2031-01-01".into(),
                external_id: "12.5".into(),
                description: "true".into(),
                ..SheetRow::default()
            },
        ];
        assert_eq!(rows(&bytes), Ok(expected));
    }

    #[test]
    fn a_header_without_the_required_marks_is_accepted() {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        header(sheet, COLUMNS.map(|c| c.trim_end_matches('*')));
        sheet.write_string(1, 0, "wangwu").unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        assert_eq!(rows(&bytes).unwrap()[0].account_name, "wangwu");
    }

    #[test]
    fn a_wrong_header_names_the_column() {
        let mut names = COLUMNS;
        names[2] = "电话";
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        header(sheet, names);
        sheet.write_string(1, 0, "zhaoliu").unwrap();
        let error = rows(&workbook.save_to_buffer().unwrap()).unwrap_err();
        assert_eq!(
            error,
            SheetError::WrongHeader {
                column: 3,
                expected: "手机号*"
            }
        );
        assert_eq!(error.to_string(), "表头与模板不一致: 第 3 列应为 手机号*");
    }

    #[test]
    fn bytes_that_are_not_an_xlsx_workbook_are_refused() {
        let empty_zip = b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
        let template = template().unwrap();
        let truncated = &template[..template.len() / 2];
        for bytes in [
            &b""[..],
            b"garbage, not a spreadsheet",
            empty_zip,
            truncated,
        ] {
            assert_eq!(rows(bytes), Err(SheetError::NotXlsx));
        }
    }

    #[test]
    fn more_than_max_rows_are_refused() {
        let bytes = workbook_with_account_names(MAX_ROWS as u32 + 1);
        assert_eq!(rows(&bytes), Err(SheetError::TooManyRows));
        assert_eq!(SheetError::TooManyRows.to_string(), "一次最多导入 1000 行");

        let bytes = workbook_with_account_names(MAX_ROWS as u32);
        let read = rows(&bytes).unwrap();
        assert_eq!(read.len(), MAX_ROWS);
        assert_eq!(read[MAX_ROWS - 1].line, MAX_ROWS + 1);
    }

    /// A zip of stored entries, so that a test can put any XML into a workbook.
    fn stored_zip(files: &[(&str, &str)]) -> Vec<u8> {
        fn crc32(data: &[u8]) -> u32 {
            let mut crc = !0u32;
            for &byte in data {
                crc ^= u32::from(byte);
                for _ in 0..8 {
                    crc = (crc >> 1) ^ if crc & 1 == 1 { 0xEDB8_8320 } else { 0 };
                }
            }
            !crc
        }
        let (mut out, mut central) = (Vec::new(), Vec::new());
        for (name, body) in files {
            let (name, body) = (name.as_bytes(), body.as_bytes());
            let size = (body.len() as u32).to_le_bytes();
            // version 2.0, no flags, stored, 1980-01-01 00:00, crc, sizes, name length, no extra
            let mut common = vec![20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0];
            common.extend(crc32(body).to_le_bytes());
            common.extend(size);
            common.extend(size);
            common.extend((name.len() as u16).to_le_bytes());
            common.extend([0, 0]);
            central.extend(0x0201_4b50u32.to_le_bytes());
            central.extend([20, 0]);
            central.extend(&common);
            central.extend([0; 10]);
            central.extend((out.len() as u32).to_le_bytes());
            central.extend(name);
            out.extend(0x0403_4b50u32.to_le_bytes());
            out.extend(&common);
            out.extend(name);
            out.extend(body);
        }
        let (start, count) = (out.len() as u32, (files.len() as u16).to_le_bytes());
        let length = (central.len() as u32).to_le_bytes();
        out.extend(central);
        out.extend(0x0605_4b50u32.to_le_bytes());
        out.extend([0, 0, 0, 0]);
        out.extend(count);
        out.extend(count);
        out.extend(length);
        out.extend(start.to_le_bytes());
        out.extend([0, 0]);
        out
    }

    /// The smallest xlsx calamine opens, with the template header and `rows` after it.
    fn handmade_workbook(dimension: &str, rows: &str) -> Vec<u8> {
        const NS: &str = "http://schemas.openxmlformats.org";
        let root = format!(
            r#"<Relationships xmlns="{NS}/package/2006/relationships"><Relationship Id="rId1" Type="{NS}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
        );
        let book = format!(
            r#"<workbook xmlns="{NS}/spreadsheetml/2006/main" xmlns:r="{NS}/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#
        );
        let book_rels = format!(
            r#"<Relationships xmlns="{NS}/package/2006/relationships"><Relationship Id="rId1" Type="{NS}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
        );
        let header: String = COLUMNS
            .iter()
            .map(|c| format!(r#"<c t="inlineStr"><is><t>{c}</t></is></c>"#))
            .collect();
        let sheet = format!(
            r#"<worksheet xmlns="{NS}/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData><row r="1">{header}</row>{rows}</sheetData></worksheet>"#
        );
        stored_zip(&[
            ("_rels/.rels", &root),
            ("xl/workbook.xml", &book),
            ("xl/_rels/workbook.xml.rels", &book_rels),
            ("xl/worksheets/sheet1.xml", &sheet),
        ])
    }

    #[test]
    fn a_cell_reference_past_excel_limits_is_refused_without_a_panic() {
        let cell = r#"<row r="2"><c r="A99999999999" t="inlineStr"><is><t>x</t></is></c></row>"#;
        let bytes = handmade_workbook("A1:J2", cell);
        assert_eq!(rows(&bytes), Err(SheetError::NotXlsx));
    }

    #[test]
    fn a_row_on_the_last_excel_line_is_read_without_filling_the_gap() {
        let cell =
            r#"<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>far</t></is></c></row>"#;
        let bytes = handmade_workbook("A1:XFD1048576", cell);
        let read = rows(&bytes).unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!(
            (read[0].line, read[0].account_name.as_str()),
            (1_048_576, "far")
        );
    }

    #[test]
    fn a_password_is_not_in_the_debug_text() {
        let row = SheetRow {
            password: "Pa55word!".into(),
            ..SheetRow::default()
        };
        assert!(!format!("{row:?}").contains("Pa55word!"));
    }

    #[test]
    fn a_declared_string_count_past_the_bound_is_refused_before_calamine_reads_it() {
        use std::io::{Read, Write};
        let mut source = zip::ZipArchive::new(Cursor::new(template().unwrap())).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let mut found = false;
        for index in 0..source.len() {
            let mut entry = source.by_index(index).unwrap();
            let name = entry.name().unwrap().to_string();
            let mut body = Vec::new();
            entry.read_to_end(&mut body).unwrap();
            if name.contains("sharedStrings") {
                let text = String::from_utf8(body).unwrap();
                body = text
                    .replacen("uniqueCount=\"", "uniqueCount=\"100000000", 1)
                    .into_bytes();
                found = true;
            }
            let options = zip::write::SimpleFileOptions::default();
            out.start_file(name, options).unwrap();
            out.write_all(&body).unwrap();
        }
        assert!(found, "the template has shared strings");
        let bytes = out.finish().unwrap().into_inner();
        assert_eq!(rows(&bytes), Err(SheetError::TooLarge));
    }
}
