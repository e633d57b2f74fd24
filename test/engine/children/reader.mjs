// Child: prints the session ids of a StateDb as JSON. Usage: reader.mjs <db>
import { writeSync } from "node:fs";
import { createNodePlatform } from "../../../dist/node.js";
import { StateDb } from "../../../dist/engine/state_db.js"; // internal: off the public surface

const db = await StateDb.open(createNodePlatform(), process.argv[2]);
const ids = await db.read((d) => d.all("SELECT session_id FROM sessions ORDER BY session_id").map((r) => r[0]));
await db.close();
writeSync(1, JSON.stringify(ids) + "\n");
