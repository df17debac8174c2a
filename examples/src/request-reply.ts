// Request/reply: a sensor service answers "read_sensor" commands on
// device.command (in a queue group, so several instances share the load); a
// client sends three requests and waits for each reply. Every reply keeps the
// request's correlation_id and names it in reply_to_msg_id. The references'
// "Example 4".
//
//   pnpm example request-reply                # starts nats-server for you
//   NATS_URL=nats://127.0.0.1:4222 pnpm example request-reply
import { createBridge, isNatsBridgeError } from "@natsbridge/core";

const subject = "device.command";
const service = createBridge({ senderName: "sensor-001" });
const client = createBridge({ senderName: "dashboard" });

// The service: decode each command, answer on its reply_to.
const commands = await service.subscribe(subject, { queue: "sensors" });
await (await service.connection()).flush();
let reading = 40;
const serving = (async () => {
  for await (const request of commands) {
    const [, command] = request.payloads.find(([name]) => name === "command") ?? [];
    const action = (command as { action?: string } | undefined)?.action;
    if (action === "read_sensor") reading += 1.25;
    const answer =
      action === "read_sensor"
        ? { sensor_id: "sensor-001", value: reading, unit: "°C" }
        : { error: `unknown action ${JSON.stringify(action)}` };
    await service.reply(request, [["data", answer, "dictionary"]]);
  }
})();

// The client: request, wait (5 s at most), read the reply.
let ok = true;
for (const action of ["read_sensor", "read_sensor", "self_destruct"]) {
  try {
    const reply = await client.request(subject, [["command", { action }, "dictionary"]], { timeout: 5_000 });
    const [, data] = reply.payloads[0]!;
    console.log(`${action} → ${JSON.stringify(data)} (from ${reply.sender_name}, correlation ${reply.correlation_id.slice(0, 8)}…)`);
    ok &&= action === "self_destruct" ? "error" in (data as object) : typeof (data as { value?: unknown }).value === "number";
  } catch (error) {
    // REQUEST_TIMEOUT when no service is listening.
    console.error(`${action} failed: ${isNatsBridgeError(error) ? error.code : ""} ${(error as Error).message}`);
    ok = false;
  }
}
commands.unsubscribe();
await serving;
await Promise.all([client.close(), service.close()]);
console.log(ok ? "request-reply: OK" : "request-reply: FAILED");
process.exit(ok ? 0 : 1);
