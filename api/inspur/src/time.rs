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
