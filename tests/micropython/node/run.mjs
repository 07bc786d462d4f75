// Run a Python file in real MicroPython (the WebAssembly port, 1.27) under Node.js.
//   node run.mjs SCRIPT.py [HOST_DIR:MP_DIR ...]
// Each HOST_DIR is copied (recursively, files only) into MicroPython's in-memory filesystem at
// MP_DIR before SCRIPT runs; SCRIPT's output goes to stdout. Exit 1 on an uncaught Python error.
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";
import fs from "fs";
import path from "path";

const [script, ...mounts] = process.argv.slice(2);
const mp = await loadMicroPython({
  heapsize: 8 * 1024 * 1024,
  stdout: (s) => process.stdout.write(s),
  linebuffer: false,
});

function mkdirs(dir) {
  let cur = "";
  for (const part of dir.split("/").filter(Boolean)) {
    cur += "/" + part;
    try { mp.FS.mkdir(cur); } catch (e) { /* exists */ }
  }
}

function copy(src, dst) {
  mkdirs(dst);
  for (const name of fs.readdirSync(src)) {
    const s = path.join(src, name);
    if (name === "node_modules" || name === "__pycache__") continue;
    if (fs.statSync(s).isDirectory()) copy(s, dst + "/" + name);
    else mp.FS.writeFile(dst + "/" + name, fs.readFileSync(s));
  }
}

for (const m of mounts) {
  const [src, dst] = m.split(":");
  if (fs.statSync(src).isDirectory()) copy(src, dst);
  else { mkdirs(path.posix.dirname(dst)); mp.FS.writeFile(dst, fs.readFileSync(src)); }
}
try {
  mp.runPython(fs.readFileSync(script, "utf8"));
} catch (error) {
  if (error.name !== "PythonError") throw error;
  console.error(error.message);
  process.exit(1);
}
