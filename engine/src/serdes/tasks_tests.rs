use super::*;
use crate::storage::{ExecutionKey, Storage, TaskRunKey};
use crate::task::CollectLog;
use crate::testutil::TempDir;

fn setup() -> (TempDir, Storage, TaskRunKey) {
    let dir = TempDir::new("serdes");
    let storage = Storage::open(dir.path()).unwrap();
    let key = TaskRunKey {
        execution: ExecutionKey {
            namespace: "company.team".into(),
            flow_id: "serdes".into(),
            execution_id: "E1".into(),
        },
        task_id: "convert".into(),
        task_run_id: "TR1".into(),
    };
    (dir, storage, key)
}

async fn put(storage: &Storage, name: &str, text: &str) -> String {
    let uri = format!("kestra:///company/team/serdes/executions/E1/inputs/f/{name}");
    storage.put_bytes(&uri, text.as_bytes()).await.unwrap();
    uri
}

async fn text(storage: &Storage, uri: &str) -> String {
    String::from_utf8(storage.read(uri).await.unwrap()).unwrap()
}

#[tokio::test]
async fn csv_to_ion_like_kestra() {
    let (_d, s, key) = setup();
    let from = put(
        &s,
        "in.csv",
        "\u{feff}policyID;county;note\n\"119736\";\"CLAY COUNTY\";\\N\n2;\"a;b\";\"multi\nline\"\n",
    )
    .await;
    let spec = CsvToIonSpec {
        from,
        field_separator: ';',
        ..CsvToIonSpec::default()
    };
    let log = CollectLog::default();
    let out = csv_to_ion(&spec, &s, &key, &log).await.unwrap();
    assert_eq!(out.size, 2);
    assert!(out
        .uri
        .starts_with("kestra:///company/team/serdes/executions/E1/tasks/convert/TR1/"));
    assert!(out.uri.ends_with(".ion"));
    assert_eq!(
        text(&s, &out.uri).await,
        "{policyID:\"119736\",county:\"CLAY COUNTY\",note:null}\n{policyID:\"2\",county:\"a;b\",note:\"multi\\nline\"}\n"
    );
    // Scratch files are gone once stored.
    assert_eq!(
        std::fs::read_dir(s.root().join(".kflow-tmp"))
            .unwrap()
            .count(),
        0
    );
}

#[tokio::test]
async fn csv_bad_lines_headers_and_skip_rows() {
    let (_d, s, key) = setup();
    let from = put(&s, "bad.csv", "a,b,\n1,2,\n3\n4,5,\n").await;
    let log = CollectLog::default();
    let spec = CsvToIonSpec {
        from: from.clone(),
        ..CsvToIonSpec::default()
    };
    let err = csv_to_ion(&spec, &s, &key, &log).await.unwrap_err();
    assert!(err.message.contains("Expected 3, got 1"), "{err}");
    let warn = CsvToIonSpec {
        from: from.clone(),
        on_bad_lines: OnBadLines::Warn,
        skip_rows: 1,
        ..CsvToIonSpec::default()
    };
    let out = csv_to_ion(&warn, &s, &key, &log).await.unwrap();
    assert_eq!(text(&s, &out.uri).await, "{a:\"4\",b:\"5\"}\n");
    assert!(log.lines().iter().any(|(_, m)| m.contains("skipped")));
    let rename = CsvToIonSpec {
        from,
        on_bad_lines: OnBadLines::Skip,
        on_empty_header: OnEmptyHeader::Rename,
        ..CsvToIonSpec::default()
    };
    let out = csv_to_ion(&rename, &s, &key, &log).await.unwrap();
    assert_eq!(
        text(&s, &out.uri).await,
        "{a:\"1\",b:\"2\",col_2:\"\"}\n{a:\"4\",b:\"5\",col_2:\"\"}\n"
    );
    let no_header = CsvToIonSpec {
        from: put(&s, "nh.csv", "1,x\n2,\\N\n").await,
        header: false,
        ..CsvToIonSpec::default()
    };
    let out = csv_to_ion(&no_header, &s, &key, &log).await.unwrap();
    assert_eq!(text(&s, &out.uri).await, "[\"1\",\"x\"]\n[\"2\",null]\n");
}

#[tokio::test]
async fn ion_to_csv_like_kestra() {
    let (_d, s, key) = setup();
    let from = put(
        &s,
        "in.ion",
        "{id:1,name:\"a,b\",price:1.5e0,at:2017-02-07T11:23:39.000Z,day:2017-11-16,nested:{x:1,y:[1,2]},none:null}\n{id:2,name:\"say \\\"hi\\\"\",price:10e0,at:2017-02-07T12:00:00+01:00,day:2017-11-17,nested:{},none:null}\n",
    )
    .await;
    let log = CollectLog::default();
    let spec = IonToCsvSpec {
        from: from.clone(),
        ..IonToCsvSpec::default()
    };
    let out = ion_to_csv(&spec, &s, &key, &log).await.unwrap();
    assert_eq!(out.size, 2);
    assert!(out.uri.ends_with(".csv"));
    assert_eq!(
        text(&s, &out.uri).await,
        "id,name,price,at,day,nested,none\n\
         1,\"a,b\",1.5,2017-02-07T11:23:39.000Z,2017-11-16,\"{x=1, y=[1, 2]}\",\n\
         2,\"say \"\"hi\"\"\",10.0,2017-02-07T11:00:00.000Z,2017-11-17,{},\n"
    );
    let lists = put(&s, "list.ion", "[1,\"x\"]\n").await;
    let err = ion_to_csv(
        &IonToCsvSpec {
            from: lists,
            ..IonToCsvSpec::default()
        },
        &s,
        &key,
        &log,
    )
    .await
    .unwrap_err();
    assert!(err
        .message
        .contains("Invalid data of type List with header"));
}

#[tokio::test]
async fn json_ion_json_round_trip() {
    let (_d, s, key) = setup();
    let log = CollectLog::default();
    let jsonl = "{\"b\":1,\"a\":[1.0,2.5],\"s\":\"é\"}\n{\"b\":2,\"a\":[],\"s\":null}\n";
    let from = put(&s, "in.jsonl", jsonl).await;
    let ion_out = json_to_ion(
        &JsonToIonSpec {
            from,
            charset: "UTF-8".into(),
            new_line: true,
        },
        &s,
        &key,
        &log,
    )
    .await
    .unwrap();
    assert_eq!(ion_out.size, 2);
    assert_eq!(
        text(&s, &ion_out.uri).await,
        "{b:1,a:[1e0,2.5e0],s:\"é\"}\n{b:2,a:[],s:null}\n"
    );
    let back = ion_to_json(
        &IonToJsonSpec {
            from: ion_out.uri.clone(),
            charset: "UTF-8".into(),
            new_line: true,
            zone_offset_minutes: 0,
        },
        &s,
        &key,
        &log,
    )
    .await
    .unwrap();
    assert!(back.uri.ends_with(".jsonl"));
    assert_eq!(text(&s, &back.uri).await, jsonl);
    let array = ion_to_json(
        &IonToJsonSpec {
            from: ion_out.uri,
            charset: "UTF-8".into(),
            new_line: false,
            zone_offset_minutes: 0,
        },
        &s,
        &key,
        &log,
    )
    .await
    .unwrap();
    assert_eq!(
        text(&s, &array.uri).await,
        "[{\"b\":1,\"a\":[1.0,2.5],\"s\":\"é\"},{\"b\":2,\"a\":[],\"s\":null}]"
    );
    let doc = put(&s, "doc.json", "[{\"x\":1},{\"x\":2},{\"x\":3}]").await;
    let out = json_to_ion(
        &JsonToIonSpec {
            from: doc,
            charset: "UTF-8".into(),
            new_line: false,
        },
        &s,
        &key,
        &log,
    )
    .await
    .unwrap();
    assert_eq!(out.size, 3);
    let bad = put(&s, "bad.jsonl", "{\"x\":1}\n{oops}\n").await;
    let err = json_to_ion(
        &JsonToIonSpec {
            from: bad,
            charset: "UTF-8".into(),
            new_line: true,
        },
        &s,
        &key,
        &log,
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("line 2"), "{err}");
}

#[tokio::test]
async fn missing_input_is_a_clear_error() {
    let (_d, s, key) = setup();
    let err = csv_to_ion(
        &CsvToIonSpec {
            from: "kestra:///nope.csv".into(),
            ..CsvToIonSpec::default()
        },
        &s,
        &key,
        &CollectLog::default(),
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("no file in internal storage"), "{err}");
}

#[tokio::test]
async fn large_csv_streams() {
    let (_d, s, key) = setup();
    let uri = "kestra:///company/team/serdes/executions/E1/inputs/f/big.csv";
    let mut file = s.create(uri).await.unwrap();
    file.write_all(b"id,value\n").await.unwrap();
    let chunk: String = (0..10_000).map(|i| format!("{i},row {i}\n")).collect();
    for _ in 0..20 {
        file.write_all(chunk.as_bytes()).await.unwrap();
    }
    file.commit().await.unwrap();
    let spec = CsvToIonSpec {
        from: uri.into(),
        ..CsvToIonSpec::default()
    };
    let out = csv_to_ion(&spec, &s, &key, &CollectLog::default())
        .await
        .unwrap();
    assert_eq!(out.size, 200_000);
}
