// A small SMSC for the notify tests, built on the npm package `smpp` (node-smpp).
// Usage: node smsc.js PORT LOGFILE — prints READY when listening. Every accepted
// submit_sm is appended to LOGFILE as one JSON line, then answered with a message id
// and followed by a delivery receipt on the same session. Destinations with a
// scripted outcome: 13900000000 invalid (ESME_RINVDSTADR), 13911111111 throttled
// (ESME_RTHROTTLED), 13922222222 accepted but undeliverable (stat:UNDELIV).
"use strict";
const fs = require("fs");
const smpp = require("smpp");

const [port, logfile] = process.argv.slice(2);
const run = Date.now().toString(36);
let counter = 0;

const server = smpp.createServer({ debug: false }, (session) => {
  session.on("bind_transceiver", (pdu) => {
    if (pdu.system_id !== "tongban" || pdu.password !== "secret") {
      session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
      session.close();
      return;
    }
    session.send(pdu.response({ system_id: "smsc" }));
  });
  session.on("enquire_link", (pdu) => session.send(pdu.response()));
  session.on("unbind", (pdu) => {
    session.send(pdu.response());
    session.close();
  });
  session.on("submit_sm", (pdu) => {
    const dest = pdu.destination_addr;
    if (dest === "13900000000") {
      session.send(pdu.response({ command_status: smpp.ESME_RINVDSTADR }));
      return;
    }
    if (dest === "13911111111") {
      session.send(pdu.response({ command_status: smpp.ESME_RTHROTTLED }));
      return;
    }
    const id = `${run}-${++counter}`;
    const sm = pdu.short_message;
    const udh = sm.udh && sm.udh.length ? Buffer.concat(sm.udh).toString("hex") : "";
    fs.appendFileSync(
      logfile,
      JSON.stringify({
        id,
        dest,
        source: pdu.source_addr,
        data_coding: pdu.data_coding,
        esm_class: pdu.esm_class,
        text: typeof sm === "string" ? sm : sm.message,
        udh,
      }) + "\n",
    );
    session.send(pdu.response({ message_id: id }));
    if (pdu.registered_delivery) {
      const ok = dest !== "13922222222";
      session.deliver_sm({
        source_addr: dest,
        destination_addr: pdu.source_addr,
        esm_class: 0x04,
        short_message: `id:${id} sub:001 dlvrd:00${ok ? 1 : 0} stat:${ok ? "DELIVRD" : "UNDELIV"} err:000 text:`,
        receipted_message_id: id,
        message_state: ok ? 2 : 5,
      });
    }
  });
  session.on("error", () => {});
});

server.listen(Number(port), "127.0.0.1", () => {
  process.stdout.write("READY\n");
});
