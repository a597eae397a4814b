// The report form: reads the fields and attachments in the browser, posts JSON, shows the receipt.
// The receipt code is shown once and never put in a URL.
"use strict";
function b64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}
async function post(url, body) {
  const response = await fetch(url, {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  });
  return [response.status, await response.json()];
}
function show(id, text) {
  const out = document.getElementById(id);
  out.textContent = text;
  out.focus();
}
const form = document.getElementById("report-form");
if (form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {category: data.get("category"), unit: data.get("unit"), text: data.get("text")};
    const files = document.getElementById("attachments").files;
    body.attachments = [];
    for (const file of files) {
      if (file.size > 10 * 1024 * 1024) { show("result", "Tệp quá 10 MiB / File over 10 MiB: " + file.name); return; }
      body.attachments.push({name: file.name, data: await b64(file)});
    }
    if (data.get("concerns")) body.concerns = data.get("concerns");
    const identity = {};
    for (const key of ["name", "contact", "official_id"]) {
      if (data.get("identity_" + key)) identity[key] = data.get("identity_" + key);
    }
    if (Object.keys(identity).length) body.identity = identity;
    const [status, answer] = await post("/v1/reports", body);
    show("result", status === 201
      ? "Mã biên nhận / Receipt code: " + answer.receipt + " — hãy ghi lại / write it down."
      : (answer.message_vi || "") + " / " + (answer.message_en || "error"));
    if (status === 201) form.reset();
  });
}
const statusForm = document.getElementById("status-form");
if (statusForm) {
  statusForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const receipt = new FormData(statusForm).get("receipt");
    const [status, answer] = await post("/v1/reports/status", {receipt});
    show("status-result", status === 200 ? JSON.stringify(answer, null, 2)
      : (answer.message_vi || "") + " / " + (answer.message_en || "error"));
  });
}
