//! Checks a JSON response against the OpenAPI document of this crate: the
//! small subset of JSON Schema that `openapi.json` uses (`$ref`, `type`,
//! `enum`, `required`, `properties`, `additionalProperties`, `items`,
//! `oneOf`). Properties a response has but the document does not describe
//! are errors too, so the document cannot fall behind the code.

use serde_json::Value;

/// The parsed OpenAPI document.
pub fn document() -> Result<Value, serde_json::Error> {
    serde_json::from_str(crate::api::OPENAPI)
}

/// The schema of the `application/json` response of `GET path` with
/// `status`, where `path` is a template of the document (`/api/v1/x/{id}`).
pub fn response_schema<'a>(doc: &'a Value, path: &str, status: u16) -> Option<&'a Value> {
    doc.get("paths")?
        .get(path)?
        .get("get")?
        .get("responses")?
        .get(status.to_string())?
        .get("content")?
        .get("application/json")?
        .get("schema")
}

/// Every way `value` fails `schema`, as `location: problem` lines.
pub fn validate(doc: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(doc, schema, value, "$", &mut errors, 0);
    errors
}

fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    doc.pointer(pointer)
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => false,
    }
}

fn check(doc: &Value, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>, depth: usize) {
    if depth > 64 {
        errors.push(format!("{at}: schema nests too deep"));
        return;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        match resolve(doc, r) {
            Some(target) => check(doc, target, v, at, errors, depth + 1),
            None => errors.push(format!("{at}: unresolved $ref {r}")),
        }
        return;
    }
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let matching = options
            .iter()
            .filter(|o| {
                let mut e = Vec::new();
                check(doc, o, v, at, &mut e, depth + 1);
                e.is_empty()
            })
            .count();
        if matching != 1 {
            errors.push(format!(
                "{at}: matches {matching} of the oneOf schemas, not exactly one"
            ));
        }
        return;
    }
    if let Some(t) = schema.get("type") {
        let ok = match t {
            Value::String(s) => type_matches(s, v),
            Value::Array(ts) => ts
                .iter()
                .filter_map(Value::as_str)
                .any(|s| type_matches(s, v)),
            _ => true,
        };
        if !ok {
            errors.push(format!("{at}: expected type {t}, found {}", short(v)));
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(v) {
            errors.push(format!(
                "{at}: {} is not one of {}",
                short(v),
                Value::Array(allowed.clone())
            ));
        }
    }
    if let Value::Object(map) = v {
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for key in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(key) {
                    errors.push(format!("{at}: required property {key:?} is missing"));
                }
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        let extra = schema.get("additionalProperties");
        for (key, value) in map {
            let child = format!("{at}.{key}");
            match (props.and_then(|p| p.get(key)), extra) {
                (Some(s), _) => check(doc, s, value, &child, errors, depth + 1),
                (None, Some(Value::Bool(true))) => {}
                (None, Some(s)) if s.is_object() => check(doc, s, value, &child, errors, depth + 1),
                (None, _) if props.is_some() => {
                    errors.push(format!("{child}: property not described in the document"))
                }
                (None, _) => {}
            }
        }
    }
    if let (Value::Array(items), Some(s)) = (v, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            check(doc, s, item, &format!("{at}[{i}]"), errors, depth + 1);
        }
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 60 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(57).map_or(s.len(), |(i, _)| i)]
        )
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_document_is_openapi_3_1_and_every_ref_resolves() {
        let doc = document().unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let text = crate::api::OPENAPI;
        let mut rest = text;
        let mut refs = 0;
        while let Some(i) = rest.find("\"$ref\": \"") {
            rest = &rest[i + 9..];
            let end = rest.find('"').unwrap();
            assert!(resolve(&doc, &rest[..end]).is_some(), "{}", &rest[..end]);
            refs += 1;
        }
        assert!(refs > 10);
    }

    #[test]
    fn the_checker_finds_what_is_wrong() {
        let doc = document().unwrap();
        let schema = response_schema(&doc, "/api/v1/locate", 200).unwrap();
        let good = json!({
            "postcode": "NE1 5AB", "boundaries": "2024",
            "constituency": {"code": "E14001401", "name": "x", "boundaries": "2024",
                "nation": "England", "region": {"code": "E12000001", "name": "North East"},
                "url": "/a", "page": "/b"}
        });
        assert_eq!(validate(&doc, schema, &good), Vec::<String>::new());
        let mut missing = good.clone();
        missing["constituency"]
            .as_object_mut()
            .unwrap()
            .remove("name");
        let e = validate(&doc, schema, &missing);
        assert_eq!(
            e,
            vec!["$.constituency: required property \"name\" is missing"]
        );
        let mut wrong = good.clone();
        wrong["constituency"]["nation"] = json!("Mercia");
        assert!(validate(&doc, schema, &wrong)[0].contains("is not one of"));
        let mut typed = good.clone();
        typed["boundaries"] = json!(2024);
        assert!(validate(&doc, schema, &typed)[0].contains("expected type"));
        let mut extra = good.clone();
        extra["surprise"] = json!(1);
        assert_eq!(
            validate(&doc, schema, &extra),
            vec!["$.surprise: property not described in the document"]
        );
        let mut region = good;
        region["constituency"]["region"] = json!({"code": 3});
        assert!(validate(&doc, schema, &region)[0].contains("oneOf"));
    }
}
