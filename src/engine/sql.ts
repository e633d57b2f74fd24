/**
 * The SQL that vhs/ and state/ speak: a small synchronous interface that both engines
 * implement (sql.js in sqljs_sql.ts, node:sqlite and bun:sqlite in native_sql.ts), so the
 * verbs never see which engine runs. Rows are arrays of column values, in select order.
 *
 * Parameters are positional only: sql.js, node:sqlite and bun:sqlite spell named
 * parameters three different ways. A value is what the three return for SQLite's storage
 * classes with their default settings: INTEGER and REAL as number, TEXT as string, BLOB as
 * Uint8Array, NULL as null.
 *
 * Statements prepared through this interface live until the engine call (read or write)
 * that handed it out ends; the engine finalizes them. There are no user-defined functions:
 * bun:sqlite has none, and none is needed (cleanup.ts parses timestamps in JavaScript).
 */

import type { SqliteValue } from "../platform/port.ts";

export type SqlValue = SqliteValue;
export type SqlParams = readonly SqlValue[];

export interface SqlStatement {
  /** Runs the statement; returns how many rows it changed. */
  run(params?: SqlParams): number;
  /** Every row. */
  all(params?: SqlParams): SqlValue[][];
  /** The first row, or undefined. */
  get(params?: SqlParams): SqlValue[] | undefined;
}

export interface Sql {
  /** Runs one or more statements that return no rows (DDL, PRAGMA settings). */
  exec(sql: string): void;
  /** Runs one statement; returns how many rows it changed. */
  run(sql: string, params?: SqlParams): number;
  /** Every row of one statement. */
  all(sql: string, params?: SqlParams): SqlValue[][];
  /** The first row of one statement, or undefined. */
  get(sql: string, params?: SqlParams): SqlValue[] | undefined;
  /** A statement to run many times (one per distinct SQL text within an engine call). */
  prepare(sql: string): SqlStatement;
}

/** The first column of the first row, or undefined: `PRAGMA user_version`, `count(*)`. */
export function scalar(sql: Sql, query: string, params?: SqlParams): SqlValue | undefined {
  return sql.get(query, params)?.[0];
}

/** A statement an engine can free. */
export interface OwnedStatement extends SqlStatement {
  finalize(): void;
}

/**
 * The Sql interface over an engine's connection, for one engine call: each SQL text is prepared
 * once (a loop of upserts reuses its statement), and finish() frees them all.
 */
export abstract class CachingSql implements Sql {
  private readonly statements = new Map<string, OwnedStatement>();

  abstract exec(sql: string): void;
  protected abstract prepareNew(sql: string): OwnedStatement;

  run(sql: string, params?: SqlParams): number {
    return this.prepare(sql).run(params);
  }

  all(sql: string, params?: SqlParams): SqlValue[][] {
    return this.prepare(sql).all(params);
  }

  get(sql: string, params?: SqlParams): SqlValue[] | undefined {
    return this.prepare(sql).get(params);
  }

  prepare(sql: string): SqlStatement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.prepareNew(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** Frees every statement this call prepared. */
  finish(): void {
    for (const stmt of this.statements.values()) stmt.finalize();
    this.statements.clear();
  }
}
