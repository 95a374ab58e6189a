//! A real HTTP server on 127.0.0.1 standing in for the Hub: `GET /api/whoami-v2` answers by
//! token as each test scripts it, `POST /api/credentials/revoke` answers 202. It records every
//! request and the most requests it ever had in flight at once.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the fake Hub answers one token.
#[derive(Clone, Debug)]
pub enum Answer {
    /// 200 with this whoami-v2 body.
    Valid(String),
    /// 401.
    Invalid,
    /// 429 with `Retry-After: secs` this many times, then the next answer.
    RateLimited {
        retry_after: u64,
        times: usize,
        then: Box<Answer>,
    },
    /// 500, always.
    ServerError,
    /// Waits this long before answering 200.
    Slow(Duration, Box<Answer>),
    /// 302 to this location.
    Redirect(String),
}

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub user_agent: Option<String>,
    pub body: String,
}

#[derive(Default)]
struct State {
    answers: HashMap<String, Answer>,
    served: Mutex<HashMap<String, usize>>,
    log: Mutex<Vec<Request>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    delay: Duration,
}

pub struct FakeHub {
    pub url: String,
    state: Arc<State>,
}

impl FakeHub {
    /// Starts a server; every answer is delayed by `delay`, so concurrency can be observed.
    pub fn start(answers: HashMap<String, Answer>, delay: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(State {
            answers,
            delay,
            ..State::default()
        });
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        Self { url, state }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.log.lock().unwrap().clone()
    }

    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }
}

fn serve(stream: TcpStream, state: &State) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let request = Request {
        method,
        path,
        authorization: headers.get("authorization").cloned(),
        user_agent: headers.get("user-agent").cloned(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    state.log.lock().unwrap().push(request.clone());

    let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(now, Ordering::SeqCst);
    std::thread::sleep(state.delay);
    let (status, extra, body) = respond(&request, state);
    state.in_flight.fetch_sub(1, Ordering::SeqCst);

    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

fn respond(request: &Request, state: &State) -> (String, String, String) {
    if request.method == "POST" && request.path == "/api/credentials/revoke" {
        return ("202 Accepted".into(), String::new(), String::new());
    }
    if request.path != "/api/whoami-v2" {
        return ("404 Not Found".into(), String::new(), "{}".into());
    }
    let token = request
        .authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string();
    let served = {
        let mut served = state.served.lock().unwrap();
        let count = served.entry(token.clone()).or_insert(0);
        *count += 1;
        *count - 1
    };
    let Some(answer) = state.answers.get(&token) else {
        return ("401 Unauthorized".into(), String::new(), "{}".into());
    };
    answer_for(answer, served)
}

fn answer_for(answer: &Answer, served: usize) -> (String, String, String) {
    match answer {
        Answer::Valid(body) => ("200 OK".into(), String::new(), body.clone()),
        Answer::Invalid => (
            "401 Unauthorized".into(),
            String::new(),
            "{\"error\":\"Invalid credentials\"}".into(),
        ),
        Answer::RateLimited {
            retry_after,
            times,
            then,
        } => {
            if served < *times {
                (
                    "429 Too Many Requests".into(),
                    format!("Retry-After: {retry_after}\r\n"),
                    "{}".into(),
                )
            } else {
                answer_for(then, served - times)
            }
        }
        Answer::ServerError => (
            "500 Internal Server Error".into(),
            String::new(),
            "{}".into(),
        ),
        Answer::Slow(wait, then) => {
            std::thread::sleep(*wait);
            answer_for(then, served)
        }
        Answer::Redirect(location) => (
            "302 Found".into(),
            format!("Location: {location}\r\n"),
            String::new(),
        ),
    }
}

/// A whoami-v2 body for a user token.
pub fn whoami(user: &str, role: &str, orgs: &[(&str, &str)]) -> String {
    let orgs: Vec<_> = orgs
        .iter()
        .map(|(name, role)| serde_json::json!({"type": "org", "name": name, "roleInOrg": role}))
        .collect();
    serde_json::json!({
        "type": "user",
        "name": user,
        "fullname": format!("{user} Example"),
        "orgs": orgs,
        "auth": {"type": "access_token", "accessToken": {
            "displayName": "laptop", "role": role, "createdAt": "2024-05-01T09:30:00.000Z"}}
    })
    .to_string()
}
