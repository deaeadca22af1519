use super::*;
use crate::testutil::TempDir;

fn storage() -> (TempDir, Storage) {
    let dir = TempDir::new("storage");
    let storage = Storage::open(dir.path().join("root")).unwrap();
    (dir, storage)
}

#[tokio::test]
async fn uri_maps_to_root_path_exactly() {
    let (_d, s) = storage();
    let uri = "kestra:///company/team/my-flow/executions/E/tasks/t/TR/out%20put.csv";
    assert_eq!(
        s.path_of(uri).unwrap(),
        s.root()
            .join("company/team/my-flow/executions/E/tasks/t/TR/out put.csv")
    );
    assert_eq!(s.uri_of("a/b c.txt"), "kestra:///a/b%20c.txt");
}

#[tokio::test]
async fn put_read_size_exists_delete_list() {
    let (_d, s) = storage();
    let uri = "kestra:///ns/f/executions/E/tasks/t/TR/a.txt";
    assert!(!s.exists(uri).await.unwrap());
    assert_eq!(s.put_bytes(uri, b"hello").await.unwrap(), 5);
    assert!(s.exists(uri).await.unwrap());
    assert_eq!(s.size(uri).await.unwrap(), 5);
    assert_eq!(s.read(uri).await.unwrap(), b"hello");
    let mut reader: &[u8] = b"second";
    s.put_stream("kestra:///ns/f/b.txt", &mut reader)
        .await
        .unwrap();
    assert_eq!(
        s.list("kestra:///ns").await.unwrap(),
        vec![
            "kestra:///ns/f/b.txt".to_string(),
            "kestra:///ns/f/executions/E/tasks/t/TR/a.txt".to_string()
        ]
    );
    assert!(s.delete(uri).await.unwrap());
    assert!(!s.delete(uri).await.unwrap());
    assert!(matches!(
        s.read(uri).await,
        Err(StorageError::NotFound { .. })
    ));
}

#[tokio::test]
async fn unsafe_uris_are_refused() {
    let (_d, s) = storage();
    for bad in [
        "kestra:///a/../../etc/passwd",
        "kestra:///a/%2e%2e/%2e%2e/x",
        "kestra://host/a",
        "file:///etc/passwd",
        "kestra:///",
        "kestra:///a%00b",
    ] {
        let err = s.path_of(bad).unwrap_err();
        assert!(
            matches!(err, StorageError::InvalidUri { .. }),
            "{bad}: {err}"
        );
    }
}

#[cfg(unix)]
#[tokio::test]
async fn symlinks_escaping_the_root_are_refused() {
    let (d, s) = storage();
    let outside = d.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret"), "x").unwrap();
    std::os::unix::fs::symlink(&outside, s.root().join("link")).unwrap();
    let err = s.read("kestra:///link/secret").await.unwrap_err();
    assert!(
        err.to_string().contains("outside the storage root"),
        "{err}"
    );
    let err = s.put_bytes("kestra:///link/new", b"x").await.unwrap_err();
    assert!(err.to_string().contains("outside"), "{err}");
    assert!(!outside.join("new").exists());
    // A symlink that stays inside is fine.
    std::fs::create_dir_all(s.root().join("real")).unwrap();
    std::os::unix::fs::symlink(s.root().join("real"), s.root().join("alias")).unwrap();
    s.put_bytes("kestra:///alias/ok", b"y").await.unwrap();
    assert_eq!(std::fs::read(s.root().join("real/ok")).unwrap(), b"y");
}

#[tokio::test]
async fn failed_or_dropped_write_leaves_nothing() {
    let (_d, s) = storage();
    let uri = "kestra:///ns/f/partial.bin";
    {
        let mut file = s.create(uri).await.unwrap();
        file.write_all(b"half of it").await.unwrap();
        // Dropped without commit: as if the task was cancelled.
    }
    assert!(!s.exists(uri).await.unwrap());
    let dir = s.path_of("kestra:///ns/f").unwrap();
    assert_eq!(std::fs::read_dir(dir).unwrap().count(), 0, "temp removed");

    struct Failing(usize);
    impl tokio::io::AsyncRead for Failing {
        fn poll_read(
            mut self: std::pin::Pin<&mut Self>,
            _cx: &mut std::task::Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            if self.0 == 0 {
                return std::task::Poll::Ready(Err(std::io::Error::other("connection reset")));
            }
            self.0 -= 1;
            buf.put_slice(b"chunk");
            std::task::Poll::Ready(Ok(()))
        }
    }
    let err = s.put_stream(uri, &mut Failing(3)).await.unwrap_err();
    assert!(err.to_string().contains("connection reset"));
    assert!(!s.exists(uri).await.unwrap());
}

#[tokio::test]
async fn overwrite_is_atomic() {
    let (_d, s) = storage();
    let uri = "kestra:///k/v.ion";
    s.put_bytes(uri, b"old").await.unwrap();
    let mut file = s.create(uri).await.unwrap();
    file.write_all(b"new").await.unwrap();
    assert_eq!(
        s.read(uri).await.unwrap(),
        b"old",
        "old content until commit"
    );
    file.commit().await.unwrap();
    assert_eq!(s.read(uri).await.unwrap(), b"new");
}
