//! JSON read with the parser the platform already has: the browser's `JSON.parse` in the app
//! (serde's generated code for each wire shape, and serde_json's parser, cost the download about
//! 20 KB), serde_json's `Value` in host tests. The wire types are read field by field through
//! [`Object`], with the rules the derived decoder had: a required field must be there with its
//! type; an optional one may be missing or `null`; anything else is refused with the field's
//! name, so a response that isn't ours never becomes data.

/// Why a response couldn't become domain data; shown to developers only.
#[derive(Debug, PartialEq, Eq)]
pub struct Invalid(pub String);

/// A parsed JSON value.
pub struct Json(Inner);

#[cfg(target_arch = "wasm32")]
type Inner = wasm_bindgen::JsValue;
#[cfg(not(target_arch = "wasm32"))]
type Inner = serde_json::Value;

#[cfg(target_arch = "wasm32")]
impl Json {
    /// `JSON.parse`: `None` for text that isn't JSON (truncated, HTML, empty).
    fn parse_text(text: &str) -> Option<Json> {
        js_sys::JSON::parse(text).ok().map(Json)
    }

    fn is_object(&self) -> bool {
        self.0.is_object() && !js_sys::Array::is_array(&self.0)
    }

    /// The member `name` of an object; `None` when it is missing (or this is no object).
    fn member(&self, name: &str) -> Option<Json> {
        if !self.is_object() {
            return None;
        }
        // Own members only: `constructor` or `__proto__` in a name never reads the prototype.
        let key = wasm_bindgen::JsValue::from_str(name);
        if !js_sys::Object::has_own(self.0.unchecked_ref::<js_sys::Object>(), &key) {
            return None;
        }
        js_sys::Reflect::get(&self.0, &key).ok().map(Json)
    }

    fn is_null(&self) -> bool {
        self.0.is_null()
    }

    fn string(&self) -> Option<String> {
        self.0.as_string()
    }

    fn boolean(&self) -> Option<bool> {
        self.0.as_bool()
    }

    fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }

    fn items(&self) -> Option<Vec<Json>> {
        js_sys::Array::is_array(&self.0)
            .then(|| js_sys::Array::from(&self.0).iter().map(Json).collect())
    }
}

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::JsCast as _;

#[cfg(not(target_arch = "wasm32"))]
impl Json {
    fn parse_text(text: &str) -> Option<Json> {
        serde_json::from_str(text).ok().map(Json)
    }

    fn is_object(&self) -> bool {
        self.0.is_object()
    }

    fn member(&self, name: &str) -> Option<Json> {
        self.0.as_object()?.get(name).cloned().map(Json)
    }

    fn is_null(&self) -> bool {
        self.0.is_null()
    }

    fn string(&self) -> Option<String> {
        self.0.as_str().map(str::to_string)
    }

    fn boolean(&self) -> Option<bool> {
        self.0.as_bool()
    }

    fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }

    fn items(&self) -> Option<Vec<Json>> {
        Some(self.0.as_array()?.iter().cloned().map(Json).collect())
    }
}

/// Parses `text` that must hold a JSON object, and reads it with `read`.
pub fn decode<T>(
    text: &str,
    read: impl FnOnce(&Object) -> Result<T, Invalid>,
) -> Result<T, Invalid> {
    let json = Json::parse_text(text).ok_or_else(|| Invalid("the answer is not JSON".into()))?;
    read(&Object::of(json, "the answer")?)
}

/// A JSON object whose members are read by name.
pub struct Object(Json);

impl Object {
    fn of(json: Json, what: &str) -> Result<Object, Invalid> {
        if json.is_object() {
            Ok(Object(json))
        } else {
            Err(Invalid(format!("{what} is not an object")))
        }
    }

    /// A member that may be missing or `null`.
    fn optional(&self, name: &str) -> Option<Json> {
        self.0.member(name).filter(|value| !value.is_null())
    }

    fn required(&self, name: &str) -> Result<Json, Invalid> {
        self.0
            .member(name)
            .ok_or_else(|| Invalid(format!("missing field `{name}`")))
    }

    /// A string member that must be there.
    pub fn text(&self, name: &str) -> Result<String, Invalid> {
        self.required(name)?.string().ok_or_else(|| wrong(name))
    }

    /// A string member that may be missing or `null`.
    pub fn optional_text(&self, name: &str) -> Result<Option<String>, Invalid> {
        self.optional(name)
            .map(|value| value.string().ok_or_else(|| wrong(name)))
            .transpose()
    }

    /// A number member that may be missing or `null`.
    pub fn optional_number(&self, name: &str) -> Result<Option<f64>, Invalid> {
        self.optional(name)
            .map(|value| value.number().ok_or_else(|| wrong(name)))
            .transpose()
    }

    /// A `true` or `false` member that must be there.
    pub fn flag(&self, name: &str) -> Result<bool, Invalid> {
        self.required(name)?.boolean().ok_or_else(|| wrong(name))
    }

    /// An object member that must be there.
    pub fn object(&self, name: &str) -> Result<Object, Invalid> {
        Object::of(self.required(name)?, name)
    }

    /// An object member that may be missing or `null`.
    pub fn optional_object(&self, name: &str) -> Result<Option<Object>, Invalid> {
        self.optional(name)
            .map(|value| Object::of(value, name))
            .transpose()
    }

    /// A list of strings that must be there.
    pub fn texts(&self, name: &str) -> Result<Vec<String>, Invalid> {
        let items = self.required(name)?.items().ok_or_else(|| wrong(name))?;
        items
            .into_iter()
            .map(|item| item.string().ok_or_else(|| wrong(name)))
            .collect()
    }

    /// A list of objects that may be missing or `null` (read as empty), each read by `read`.
    pub fn optional_objects<T>(
        &self,
        name: &str,
        read: impl Fn(&Object) -> Result<T, Invalid>,
    ) -> Result<Vec<T>, Invalid> {
        if self.optional(name).is_none() {
            return Ok(Vec::new());
        }
        self.objects(name, read)
    }

    /// A list of objects that must be there, each read by `read`.
    pub fn objects<T>(
        &self,
        name: &str,
        read: impl Fn(&Object) -> Result<T, Invalid>,
    ) -> Result<Vec<T>, Invalid> {
        let items = self.required(name)?.items().ok_or_else(|| wrong(name))?;
        items
            .into_iter()
            .map(|item| read(&Object::of(item, name)?))
            .collect()
    }
}

fn wrong(name: &str) -> Invalid {
    Invalid(format!("invalid type for field `{name}`"))
}

/// `text` as a JSON string, quotes and escapes included (for a request's body).
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn quoted_text_is_the_json_string() {
        for text in ["", "plain", "a \"b\" \\ c\n\r\t\u{1}\u{2028}é 🚀"] {
            let quoted = quote(text);
            assert_eq!(serde_json::from_str::<String>(&quoted).unwrap(), text);
        }
    }

    #[test]
    fn members_are_read_with_their_types() {
        let read = |text: &str| {
            decode(text, |o| {
                Ok((
                    o.text("a")?,
                    o.optional_text("b")?,
                    o.flag("c")?,
                    o.texts("d")?,
                ))
            })
        };
        assert_eq!(
            read(r#"{"a":"x","b":null,"c":true,"d":["y"]}"#).unwrap(),
            ("x".into(), None, true, vec!["y".into()])
        );
        assert_eq!(read(r#"{"a":"x","c":false,"d":[]}"#).unwrap().1, None);
        for bad in [
            r#"{"b":"x","c":true,"d":[]}"#,
            r#"{"a":null,"c":true,"d":[]}"#,
            r#"{"a":1,"c":true,"d":[]}"#,
            r#"{"a":"x","b":2,"c":true,"d":[]}"#,
            r#"{"a":"x","c":"true","d":[]}"#,
            r#"{"a":"x","c":true,"d":[1]}"#,
            r#"{"a":"x","c":true,"d":null}"#,
            r#"["x", null, true, []]"#,
            r#"{"a":"x","c":true,"d":[]"#,
            "",
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
