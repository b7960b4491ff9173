import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { AppError } from "../errors";

/**
 * Writing files that may hold secrets into directories other users can write to (/tmp, a shared
 * export folder) without following a link planted there: files are created exclusively with
 * O_NOFOLLOW, overwrites go through a fresh temp file renamed over the target (a rename replaces
 * a link, it never writes through it), and directories are created one level at a time with
 * each level checked to be a real directory.
 */

const { O_CREAT, O_EXCL, O_WRONLY, O_NOFOLLOW } = fs.constants;

function linkError(p: string, field: string): AppError {
  return new AppError("invalid_input", `${p} is a symbolic link; the console does not write through links. Remove it or choose another path.`, { field });
}

/** lstat or null when nothing is there. */
function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/**
 * Creates `dir` (and its missing parents below `root`) with `mode`, refusing when `dir` or any
 * level between `root` and it is a symbolic link or not a directory. AppError invalid_input.
 */
export function ensureDirNoFollow(root: string, dir: string, mode: number, field = "out"): void {
  const base = path.resolve(root);
  const target = path.resolve(dir);
  const st = lstatOrNull(base);
  if (st?.isSymbolicLink()) throw linkError(base, field);
  if (!st) fs.mkdirSync(base, { recursive: true, mode });
  else if (!st.isDirectory()) throw new AppError("invalid_input", `${base} exists and is not a directory.`, { field });
  const rel = path.relative(base, target);
  if (rel.startsWith("..") || path.isAbsolute(rel)) throw new AppError("invalid_input", `${target} is outside ${base}.`, { field });
  let current = base;
  for (const part of rel.split(path.sep).filter(Boolean)) {
    current = path.join(current, part);
    const s = lstatOrNull(current);
    if (s?.isSymbolicLink()) throw linkError(current, field);
    if (!s) fs.mkdirSync(current, { mode });
    else if (!s.isDirectory()) throw new AppError("invalid_input", `${current} exists and is not a directory.`, { field });
  }
}

function createExclusive(file: string, content: string | Uint8Array, mode: number): void {
  const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
  try {
    fs.writeFileSync(fd, content);
    fs.fchmodSync(fd, mode);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes `content` to `file` with `mode`. `overwrite: false` refuses any existing entry
 * (AppError conflict); `overwrite: true` replaces a regular file atomically. A symbolic link at
 * `file` is refused either way (AppError invalid_input), and never written through.
 */
export function writeFileNoFollow(file: string, content: string | Uint8Array, options: { mode: number; overwrite: boolean; field?: string }): void {
  const field = options.field ?? "out";
  const st = lstatOrNull(file);
  if (st?.isSymbolicLink()) throw linkError(file, field);
  if (st && !options.overwrite) throw new AppError("conflict", `${file} already exists; choose a new file name.`, { field });
  if (st && !st.isFile()) throw new AppError("invalid_input", `${file} exists and is not a regular file.`, { field });
  if (!st) {
    try {
      createExclusive(file, content, options.mode);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ELOOP") throw linkError(file, field);
      if (code !== "EEXIST" || !options.overwrite) {
        if (code === "EEXIST") throw new AppError("conflict", `${file} already exists; choose a new file name.`, { field });
        throw error;
      }
    }
  }
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  createExclusive(temp, content, options.mode);
  try {
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Moves a finished file into place without replacing anything: a hard link fails when any entry
 * (a planted link included) already has the name. AppError conflict then.
 */
export function placeFileNoClobber(source: string, target: string, field = "out"): void {
  try {
    fs.linkSync(source, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw lstatOrNull(target)?.isSymbolicLink() ? linkError(target, field) : new AppError("conflict", `${target} already exists; choose a new file name.`, { field });
    }
    throw error;
  } finally {
    fs.rmSync(source, { force: true });
  }
}
