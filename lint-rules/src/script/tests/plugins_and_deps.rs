//! Plugin hints and Python dependency checks.

use super::{js, py, sh};
use crate::script::{
    declared_from_installs, dedicated_plugin, dedicated_plugins, python_third_party_imports,
    python_third_party_imports_excluding,
};

fn plugin_of(facts: &crate::script::ScriptFacts) -> Option<String> {
    dedicated_plugin(facts).map(|h| h.plugin_type)
}

#[test]
fn boto3_s3_download() {
    let src = "import boto3\ns3 = boto3.client(\"s3\")\ns3.download_file(\"my-bucket\", \"exports/orders.parquet\", \"orders.parquet\")\n";
    let facts = py(src);
    let hint = dedicated_plugin(&facts).expect("a plugin");
    assert_eq!(hint.plugin_type, "io.kestra.plugin.aws.s3.Download");
    assert_eq!(hint.evidence, "boto3.client(s3).download_file(my-bucket)");
    assert_eq!(
        &src[hint.span.range()],
        "s3.download_file(\"my-bucket\", \"exports/orders.parquet\", \"orders.parquet\")"
    );
    assert_eq!(crate::script::written_files(&facts), ["orders.parquet"]);
    let facts =
        py("import boto3\nboto3.resource('s3').Bucket('b').upload_file('a.csv', 'k/a.csv')\n");
    assert_eq!(
        plugin_of(&facts).as_deref(),
        Some("io.kestra.plugin.aws.s3.Upload")
    );
    let facts =
        py("import boto3\nboto3.client('sqs').send_message(QueueUrl='u', MessageBody='b')\n");
    assert_eq!(
        plugin_of(&facts).as_deref(),
        Some("io.kestra.plugin.aws.sqs.Publish")
    );
}

#[test]
fn webhooks_by_host() {
    let facts = py("import requests\nrequests.post('https://hooks.slack.com/services/T000/B000/XXXX', json={'text': 'done'})\n");
    assert_eq!(
        plugin_of(&facts).as_deref(),
        Some("io.kestra.plugin.slack.SlackIncomingWebhook")
    );
    let facts = sh("curl -X POST -H 'Content-Type: application/json' -d '{\"content\":\"hi\"}' https://discord.com/api/webhooks/1/abc");
    assert_eq!(
        plugin_of(&facts).as_deref(),
        Some("io.kestra.plugin.discord.DiscordIncomingWebhook")
    );
    let facts =
        js("await fetch('https://acme.webhook.office.com/webhookb2/x', { method: 'POST' });");
    assert_eq!(
        plugin_of(&facts).as_deref(),
        Some("io.kestra.plugin.microsoft365.teams.TeamsIncomingWebhook")
    );
    let facts = py("import requests\nrequests.post('https://example.com/hooks.slack.com')\n");
    assert_eq!(plugin_of(&facts), None, "the host must match, not the path");
}

#[test]
fn databases_gcs_and_messaging() {
    let facts = py("import psycopg2\nconn = psycopg2.connect(dsn)\ncur = conn.cursor()\ncur.execute('select 1')\n");
    assert_eq!(
        plugin_of(&facts).as_deref(),
        Some("io.kestra.plugin.jdbc.postgresql.Query")
    );
    let facts = py("from google.cloud import storage\nblob = storage.Client().bucket('b').blob('a.csv')\nblob.download_to_filename('a.csv')\n");
    assert_eq!(
        plugin_of(&facts).as_deref(),
        Some("io.kestra.plugin.gcp.gcs.Download")
    );
    let facts = py("from kafka import KafkaProducer\np = KafkaProducer(bootstrap_servers='k:9092')\np.send('t', b'x')\n");
    assert_eq!(
        plugin_of(&facts).as_deref(),
        Some("io.kestra.plugin.kafka.Produce")
    );
    let facts = py("import paramiko\nt = paramiko.Transport(('h', 22))\nsftp = paramiko.SFTPClient.from_transport(t)\nsftp.get('/remote/a.csv', 'a.csv')\n");
    assert_eq!(
        plugin_of(&facts).as_deref(),
        Some("io.kestra.plugin.fs.sftp.Download")
    );
    let facts = py("import ftplib\nftp = ftplib.FTP('h')\nftp.retrbinary('RETR a.csv', open('a.csv', 'wb').write)\n");
    assert_eq!(
        plugin_of(&facts).as_deref(),
        Some("io.kestra.plugin.fs.ftp.Download")
    );
    let facts = js("const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');\nconst c = new S3Client({});\nawait c.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));\n");
    assert_eq!(
        plugin_of(&facts).as_deref(),
        Some("io.kestra.plugin.aws.s3.Download")
    );
}

#[test]
fn shell_clis() {
    assert_eq!(
        plugin_of(&sh("aws s3 cp s3://b/k.csv k.csv")).as_deref(),
        Some("io.kestra.plugin.aws.s3.Download")
    );
    assert_eq!(
        plugin_of(&sh("aws s3 cp out.csv s3://b/out.csv")).as_deref(),
        Some("io.kestra.plugin.aws.s3.Upload")
    );
    assert_eq!(
        plugin_of(&sh("gsutil cp gs://b/x.parquet .")).as_deref(),
        Some("io.kestra.plugin.gcp.gcs.Download")
    );
    assert_eq!(
        plugin_of(&sh(
            "git clone --depth 1 https://github.com/kestra-io/examples.git"
        ))
        .as_deref(),
        Some("io.kestra.plugin.git.Clone")
    );
    assert_eq!(
        plugin_of(&sh("psql \"$DB_URL\" -c 'select 1'")).as_deref(),
        Some("io.kestra.plugin.jdbc.postgresql.Query")
    );
    assert_eq!(
        plugin_of(&sh("aws sts get-caller-identity")).as_deref(),
        Some("io.kestra.plugin.aws.cli.AwsCLI")
    );
    // One command, one hint: `aws s3 cp` does not also give Upload and AwsCLI.
    assert_eq!(
        dedicated_plugins(&sh("aws s3 cp s3://b/k.csv k.csv")).len(),
        1
    );
    assert_eq!(
        plugin_of(&sh("echo 'aws s3 cp s3://b/k .'\n# git clone x")),
        None
    );
}

#[test]
fn third_party_imports_against_declarations() {
    let src = "import json, os.path, urllib.request, concurrent.futures\nimport pandas as pd\nimport yaml\nfrom sklearn.linear_model import LinearRegression\nfrom google.cloud import storage\nfrom kestra import Kestra\nimport requests\nfrom . import helpers\nimport utils\ntry:\n    import ujson\nexcept ImportError:\n    ujson = None\n";
    let facts = py(src);
    let found = |declared: &[&str]| -> Vec<String> {
        let declared: Vec<String> = declared.iter().map(|s| s.to_string()).collect();
        python_third_party_imports(&facts, &declared)
            .into_iter()
            .map(|t| t.distribution)
            .collect()
    };
    assert_eq!(
        found(&[]),
        [
            "pandas",
            "pyyaml",
            "scikit-learn",
            "google-cloud-storage",
            "kestra",
            "requests"
        ]
    );
    assert_eq!(
        found(&[
            "Pandas==2.1",
            "PyYAML>=6",
            "scikit_learn",
            "google-cloud-storage",
            "kestra",
            "requests[socks]"
        ]),
        Vec::<String>::new()
    );
    assert_eq!(
        found(&["git+https://github.com/x/pandas.git", "pandas-stubs"])
            .first()
            .map(String::as_str),
        Some("pandas")
    );
    let third = python_third_party_imports(&facts, &[]);
    assert_eq!(&src[third[0].span.range()], "pandas");
    assert_eq!(third[3].module, "google.cloud.storage");
    let left = python_third_party_imports_excluding(&facts, &[], &["requests"]);
    assert!(left.iter().all(|t| t.distribution != "requests"));
}

#[test]
fn stdlib_imports_are_never_third_party() {
    let facts = py("import json\nimport os.path\nimport urllib.request\nimport concurrent.futures\nfrom collections import OrderedDict\nimport tomllib, zoneinfo, asyncio\n");
    assert!(python_third_party_imports(&facts, &[]).is_empty());
}

#[test]
fn pip_installs_in_before_commands_declare() {
    let before = sh("pip install --no-cache-dir pandas==2.2.0 'pyyaml>=6'\n");
    let (declared, requirements_file) = declared_from_installs(&before);
    assert!(!requirements_file);
    let facts = py("import pandas\nimport yaml\nimport requests\n");
    let left: Vec<_> = python_third_party_imports(&facts, &declared)
        .into_iter()
        .map(|t| t.distribution)
        .collect();
    assert_eq!(left, ["requests"]);
    let (_, requirements_file) = declared_from_installs(&sh("pip install -r requirements.txt"));
    assert!(requirements_file);
}
