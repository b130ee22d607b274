//! A real DynamoDB-compatible server (moto) for the DynamoDB adapter's tests: started on a free
//! port, stopped when dropped. If it cannot start, the error says why and how to install it;
//! the tests that need it fail with that message rather than skip.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct MotoServer {
    child: Child,
    pub endpoint: String,
}

/// `MOTO_SERVER`, else the workspace's `.venvs/test/bin/moto_server`, else `moto_server` on PATH.
fn executable() -> PathBuf {
    if let Some(path) = std::env::var_os("MOTO_SERVER") {
        return path.into();
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join(".venvs/test/bin/moto_server"))
        .find(|candidate| candidate.exists())
        .unwrap_or_else(|| PathBuf::from("moto_server"))
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl MotoServer {
    pub fn start() -> Result<Self, String> {
        let exe = executable();
        let port = free_port().map_err(|e| format!("no free port: {e}"))?;
        let child = Command::new(&exe)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "could not start the DynamoDB-compatible server `{}`: {e}. \
                     Run `make tools` (installs moto into .venvs/test) or set MOTO_SERVER.",
                    exe.display()
                )
            })?;
        let mut server = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("moto_server exited at start-up ({status})"));
            }
            if Instant::now() > deadline {
                return Err(format!("moto_server did not listen on {addr} within 60 s"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(server)
    }

    /// A DynamoDB client for this server, as the gateway builds one for a local endpoint.
    pub async fn client(&self) -> aws_sdk_dynamodb::Client {
        handlers::compose::local_dynamodb(&self.endpoint).await
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
