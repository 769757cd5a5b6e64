//! Times on the wire (§1.7): `yyyy-MM-dd HH:mm:ss` in the tenant's zone.

pub fn wire(millis: i64, utc_offset_minutes: i32) -> String {
    let offset = chrono::FixedOffset::east_opt(utc_offset_minutes * 60)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset is valid"));
    chrono::DateTime::from_timestamp_millis(millis)
        .unwrap_or_default()
        .with_timezone(&offset)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// A time as a client sends it: `yyyy-MM-dd HH:mm:ss`, `yyyy-MM-dd HH:mm` or `yyyy-MM-dd`
/// (the end of that day) in the tenant's zone, RFC 3339, or Unix milliseconds (13 digits). Unix
/// milliseconds, or `None` when it is none of these.
pub fn parse(text: &str, utc_offset_minutes: i32) -> Option<i64> {
    use chrono::{NaiveDate, NaiveDateTime, TimeZone};
    let text = text.trim();
    // Unix milliseconds have 13 digits for every date from 2001 to 2286; shorter runs of digits
    // (a `yyyyMMdd`, a spreadsheet's day number) are not taken for times in 1970.
    if text.len() == 13 && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok();
    }
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(at.timestamp_millis());
    }
    let offset = chrono::FixedOffset::east_opt(utc_offset_minutes * 60)?;
    let local = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|day| day.and_hms_opt(23, 59, 59))
        })?;
    offset
        .from_local_datetime(&local)
        .single()
        .map(|at| at.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_the_tenants_zone_and_print_back() {
        let at = parse("2030-12-31 08:00:00", 480).unwrap();
        assert_eq!(wire(at, 480), "2030-12-31 08:00:00");
        assert_eq!(wire(at, 0), "2030-12-31 00:00:00");
        assert_eq!(
            wire(parse("2030-12-31", 480).unwrap(), 480),
            "2030-12-31 23:59:59"
        );
        assert_eq!(parse("2030-12-31T00:00:00Z", 480), Some(at));
        assert_eq!(parse(&at.to_string(), 0), Some(at));
        assert_eq!(parse("31/12/2030", 480), None);
        assert_eq!(parse("20301231", 480), None);
        assert_eq!(parse("", 480), None);
    }
}
