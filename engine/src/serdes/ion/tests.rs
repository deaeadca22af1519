use super::*;

fn one(text: &str) -> Ion {
    let mut all = parse_all(text).unwrap();
    assert_eq!(all.len(), 1, "{text}");
    all.remove(0)
}

#[test]
fn writes_like_kestra() {
    let row = Ion::Struct(vec![
        ("policyID".into(), Ion::String("119736".into())),
        ("first name".into(), Ion::String("Zoé \"Z\"\n".into())),
        ("n".into(), Ion::Int(-3)),
        ("f".into(), Ion::Float(1.5)),
        ("one".into(), Ion::Float(1.0)),
        ("big".into(), Ion::Float(1e10)),
        ("nothing".into(), Ion::Null),
        ("ok".into(), Ion::Bool(true)),
        (
            "null".into(),
            Ion::List(vec![Ion::Int(1), Ion::Blob(b"1".to_vec())]),
        ),
    ]);
    assert_eq!(
        to_line(&row),
        "{policyID:\"119736\",'first name':\"Zoé \\\"Z\\\"\\n\",n:-3,f:1.5e0,one:1e0,big:1.0E10,nothing:null,ok:true,'null':[1,{{MQ==}}]}\n"
    );
    assert_eq!(to_text(&Ion::Float(0.0)), "0e0");
    assert_eq!(to_text(&Ion::Float(f64::NAN)), "nan");
    assert_eq!(to_text(&Ion::Float(f64::NEG_INFINITY)), "-inf");
    assert_eq!(to_text(&Ion::Float(0.0001)), "1.0E-4");
    assert_eq!(
        to_text(&Ion::Annotated(
            vec!["LocalDateTime".into()],
            Box::new(Ion::String("2024-01-01T10:00:00".into()))
        )),
        "LocalDateTime::\"2024-01-01T10:00:00\""
    );
}

#[test]
fn timestamps_like_kestra() {
    let instant = crate::time::Instant::parse("2017-02-07T11:23:39Z").unwrap();
    assert_eq!(
        to_text(&Ion::Timestamp(Timestamp::from_instant(instant))),
        "2017-02-07T11:23:39.000Z"
    );
    let date = crate::time::Date::parse("2017-11-16").unwrap();
    assert_eq!(
        to_text(&Ion::Timestamp(Timestamp::from_date(date))),
        "2017-11-16"
    );
    let t = Timestamp::parse("2024-01-01T00:00:00.000Z").unwrap();
    assert!(matches!(t.to_java(), JavaTemporal::Date(_)));
    let t = Timestamp::parse("2024-01-01T10:00:00+02:00").unwrap();
    assert!(matches!(t.to_java(), JavaTemporal::Zoned(_, 120)));
}

#[test]
fn reads_every_scalar() {
    assert_eq!(one("null"), Ion::Null);
    assert_eq!(one("null.string"), Ion::Null);
    assert_eq!(one("true"), Ion::Bool(true));
    assert_eq!(one("-42"), Ion::Int(-42));
    assert_eq!(one("1_000"), Ion::Int(1000));
    assert_eq!(one("0x1F"), Ion::Int(31));
    assert_eq!(one("1.5e0"), Ion::Float(1.5));
    assert_eq!(one("1.0E10"), Ion::Float(1e10));
    assert_eq!(one("+inf"), Ion::Float(f64::INFINITY));
    assert_eq!(
        one("1.50"),
        Ion::Decimal(Decimal {
            negative: false,
            coefficient: "150".into(),
            exponent: -2
        })
    );
    assert_eq!(one("12d3").as_str(), None);
    assert_eq!(one("\"a\\tb\\u00e9\\x41\""), Ion::String("a\tbéA".into()));
    assert_eq!(one("'''a''' '''b'''"), Ion::String("ab".into()));
    assert_eq!(one("sym"), Ion::Symbol("sym".into()));
    assert_eq!(one("'quoted sym'"), Ion::Symbol("quoted sym".into()));
    assert_eq!(one("{{aGVsbG8=}}"), Ion::Blob(b"hello".to_vec()));
    assert_eq!(one("{{\"hi\"}}"), Ion::Clob(b"hi".to_vec()));
    assert!(matches!(
        one("2007-02-23T12:14:33.079-08:00"),
        Ion::Timestamp(_)
    ));
    assert!(matches!(one("2007T"), Ion::Timestamp(_)));
    assert_eq!(
        one("a::b::1"),
        Ion::Annotated(vec!["a".into(), "b".into()], Box::new(Ion::Int(1)))
    );
}

#[test]
fn reads_containers_comments_and_multiline_values() {
    let values = parse_all(
        "// comment\n{a:1, 'b c':\"x\", \"d\": [1, 2,], e:(+ 1 2)}\n/* block */ {x:\n  {y: null}\n}\n[]",
    )
    .unwrap();
    assert_eq!(values.len(), 3);
    assert_eq!(parse_all("$ion_1_0 {a:1}").unwrap().len(), 1);
    assert_eq!(
        values[0],
        Ion::Struct(vec![
            ("a".into(), Ion::Int(1)),
            ("b c".into(), Ion::String("x".into())),
            ("d".into(), Ion::List(vec![Ion::Int(1), Ion::Int(2)])),
            (
                "e".into(),
                Ion::Sexp(vec![Ion::Symbol("+".into()), Ion::Int(1), Ion::Int(2)])
            ),
        ])
    );
    assert_eq!(
        values[1],
        Ion::Struct(vec![(
            "x".into(),
            Ion::Struct(vec![("y".into(), Ion::Null)])
        )])
    );
}

#[test]
fn errors_say_where() {
    for bad in [
        "{a:1",
        "[1 2]",
        "\"open",
        "{a 1}",
        "01",
        "1__0",
        "2024-13-01",
        "@",
    ] {
        let err = parse_all(&format!("1\n{bad}\n")).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{bad}: {err}");
    }
}

#[test]
fn text_round_trip() {
    let text = "{a:1,b:\"x\",c:[1.5e0,null,true],'d e':{f:2024-01-01T00:00:00.000Z},g:1.50,h:123.,i:12d3,j:-0.05}\n";
    let value = one(text);
    assert_eq!(to_line(&value), text);
}

#[test]
fn json_conversions() {
    let ion = from_json(r#"{"z":1,"a":[1.0,2.5,"s",null,true],"n":{"x":-7}}"#).unwrap();
    assert_eq!(
        to_line(&ion),
        "{z:1,a:[1e0,2.5e0,\"s\",null,true],n:{x:-7}}\n"
    );
    let style = JsonStyle::default();
    assert_eq!(
        to_json(&ion, &style),
        r#"{"z":1,"a":[1.0,2.5,"s",null,true],"n":{"x":-7}}"#
    );
    let ts = one("{t:2024-01-31T10:00:00.000Z,d:2024-01-31,z:2024-01-31T12:00:00+02:00,dec:1.50}");
    assert_eq!(
        to_json(&ts, &style),
        r#"{"t":"2024-01-31T10:00:00Z","d":"2024-01-31","z":"2024-01-31T10:00:00Z","dec":1.50}"#
    );
    let v = serde_json::json!({"k": [1, 2.5, "x"]});
    assert_eq!(to_json_value(&from_json_value(&v)), v);
}

#[test]
fn streaming_reader_reads_line_by_line() {
    let text: String = (0..1000).map(|i| format!("{{i:{i}}}\n")).collect();
    let reader = IonReader::new(std::io::BufReader::with_capacity(64, text.as_bytes()));
    let mut count = 0;
    for value in reader {
        value.unwrap();
        count += 1;
    }
    assert_eq!(count, 1000);
}
