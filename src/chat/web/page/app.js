// toolkit chat in the browser. The server sends events (docs/chat-protocol.md, "WebSocket");
// this page turns them into sentences in the reader's language. Member text is only ever set with
// textContent: it is never parsed as HTML.
"use strict";

const TEXTS = {
  zh: {
    title: "聊天室", nameLabel: "你的名字", enter: "进入聊天室", send: "发送", people: "在线",
    other: "English",
    joined: (n) => `${n} 进入了聊天室`,
    says: " 说 ： ",
    left: (n) => `${n} 退出了聊天`,
    admin: "管理员说 :",
    me: "我",
    past: (t) => `历史 ${t}`,
    connecting: "正在连接…", online: (k) => `在线 ${k} 人`,
    closed: "服务器已关闭聊天室", lost: (s) => `连接断开，${s} 秒后重连…`,
    refusals: {
      "name-taken": "这个名字已被占用（或与某人的名字看起来一样），请换一个",
      "name-reserved": "这个名字是保留的，请换一个",
      "name-invalid": "名字不合规则：1 到 32 个字母或数字，不要空格或符号",
      "server-full": "聊天室已满，请稍后再试",
      "too-many-connections": "你的地址连接太多了",
      "rate-limited": "发得太快了，消息会稍后送达",
      "line-too-long": "消息太长，没有发送",
    },
  },
  en: {
    title: "Chat room", nameLabel: "Your name", enter: "Enter the chat", send: "Send",
    people: "Here", other: "中文",
    joined: (n) => `${n} joined the chat`,
    says: " says: ",
    left: (n) => `${n} left the chat`,
    admin: "Admin says: ",
    me: "me",
    past: (t) => `earlier ${t}`,
    connecting: "connecting…", online: (k) => `${k} here`,
    closed: "The server closed the chat room", lost: (s) => `Connection lost; retrying in ${s} s…`,
    refusals: {
      "name-taken": "That name is taken (or looks like one that is); choose another",
      "name-reserved": "That name is reserved; choose another",
      "name-invalid": "Not a valid name: 1 to 32 letters or digits, no spaces or symbols",
      "server-full": "The room is full; try again later",
      "too-many-connections": "Too many connections from your address",
      "rate-limited": "Slow down: your messages will arrive late",
      "line-too-long": "Message too long; not sent",
    },
  },
};

const $ = (id) => document.getElementById(id);
// The language: ?lang=zh|en in the address (a teacher's link or QR code), else the reader's last
// choice, else the browser's.
const asked = new URLSearchParams(location.search).get("lang");
let lang = (asked || localStorage.getItem("lang") || navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en";
let t = TEXTS[lang];
let socket = null;
let myName = null;      // the name the server welcomed
let wanted = null;      // the name asked for (entered again after a reconnect)
let retry = 0;
let closedByServer = false;
const members = new Set();

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function applyLanguage() {
  document.documentElement.lang = lang;
  $("title").textContent = t.title;
  $("name-label").textContent = t.nameLabel;
  $("enter").textContent = t.enter;
  $("send").textContent = t.send;
  $("people-title").textContent = t.people;
  $("lang").textContent = t.other;
  showMembers();
}

function atBottom() {
  const log = $("log");
  return log.scrollHeight - log.scrollTop - log.clientHeight < 40;
}

// Append an entry; scroll only if the reader was already at the bottom (reading older lines is
// never interrupted), else show the "newer" button.
function add(entry) {
  const stick = atBottom();
  $("log").appendChild(entry);
  if (stick) {
    $("log").scrollTop = $("log").scrollHeight;
  } else {
    $("newer").hidden = false;
  }
}

function notice(text, cls) {
  add(el("li", "notice " + (cls || ""), text));
}

function timeOf(seconds) {
  const d = new Date(seconds * 1000);
  return d.toLocaleTimeString(lang === "zh" ? "zh-CN" : "en-GB", { hour: "2-digit", minute: "2-digit" });
}

// One message from someone else (or, with past, from before we entered).
function message(event, past) {
  const li = el("li", "msg" + (past ? " past" : ""));
  if (past) li.appendChild(el("span", "when", t.past(timeOf(past))));
  const line = el("p", "line");
  if (event.type === "admin") {
    li.className = "admin" + (past ? " past" : "");
    line.appendChild(el("span", "verb", t.admin));
    line.appendChild(el("span", "text", event.text));
  } else {
    line.appendChild(el("span", "name", event.name));
    line.appendChild(el("span", "verb", t.says));
    line.appendChild(el("span", "text", event.text));
  }
  li.appendChild(line);
  add(li);
}

function mine(text) {
  const li = el("li", "msg mine");
  const line = el("p", "line");
  line.appendChild(el("span", "name", t.me));
  line.appendChild(el("span", "verb", t.says));
  line.appendChild(el("span", "text", text));
  li.appendChild(line);
  add(li);
}

function showMembers() {
  const list = $("members");
  list.replaceChildren(...[...members].sort().map((n) => el("li", n === myName ? "me" : "", n)));
  $("status").textContent = myName ? t.online(members.size) : "";
}

function send(command) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(command));
}

function handle(event) {
  switch (event.type) {
    case "hello":
      retry = 0;
      if (wanted) send({ type: "name", name: wanted });
      break;
    case "welcome":
      myName = event.name;
      $("join").hidden = true;
      $("room").hidden = false;
      $("refusal").textContent = "";
      members.clear();
      members.add(myName);
      send({ type: "who" });
      showMembers();
      $("text").focus();
      break;
    case "members":
      event.names.forEach((n) => members.add(n));
      showMembers();
      break;
    case "joined":
      members.add(event.name);
      showMembers();
      notice(t.joined(event.name));
      break;
    case "left":
      members.delete(event.name);
      showMembers();
      notice(t.left(event.name));
      break;
    case "msg":
    case "admin":
      message(event, 0);
      break;
    case "history":
      message(event.event, event.at);
      break;
    case "err":
      if (!myName) {
        wanted = null;
        $("refusal").textContent = t.refusals[event.code] || event.reason;
        $("join").hidden = false;
        $("name").focus();
      } else {
        notice(t.refusals[event.code] || event.reason, "error");
      }
      break;
    case "closing":
      closedByServer = true;
      notice(t.closed, "error");
      $("status").textContent = t.closed;
      break;
    case "bye":
      closedByServer = true;
      break;
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  socket = new WebSocket(scheme + location.host + "/ws");
  $("status").textContent = t.connecting;
  socket.addEventListener("message", (m) => {
    try {
      // One event, or several in order (what arrived together).
      const data = JSON.parse(m.data);
      (Array.isArray(data) ? data : [data]).forEach(handle);
    } catch (e) {
      console.error(e);
    }
  });
  socket.addEventListener("close", () => {
    const wasIn = myName;
    myName = null;
    if (closedByServer) {
      closedByServer = false;
    }
    // Reconnect with backoff: 1, 2, 4 ... 30 s; a name we had is asked for again.
    if (wasIn) wanted = wasIn;
    const wait = Math.min(30, 2 ** retry);
    retry += 1;
    $("status").textContent = t.lost(wait);
    setTimeout(connect, wait * 1000);
  });
}

$("join").addEventListener("submit", (e) => {
  e.preventDefault();
  wanted = $("name").value.trim();
  if (!wanted) return;
  if (socket && socket.readyState === WebSocket.OPEN) send({ type: "name", name: wanted });
});

$("say").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("text").value;
  if (!text.trim() || !myName) return;
  send({ type: "say", text });
  mine(text);
  $("text").value = "";
});

$("newer").addEventListener("click", () => {
  $("log").scrollTop = $("log").scrollHeight;
  $("newer").hidden = true;
});

$("log").addEventListener("scroll", () => {
  if (atBottom()) $("newer").hidden = true;
});

$("lang").addEventListener("click", () => {
  lang = lang === "zh" ? "en" : "zh";
  t = TEXTS[lang];
  localStorage.setItem("lang", lang);
  applyLanguage();
});

window.addEventListener("beforeunload", () => send({ type: "quit" }));

applyLanguage();
connect();
