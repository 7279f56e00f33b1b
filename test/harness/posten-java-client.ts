import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectDir } from '../../src/config/ferje-config';
import { javacPath, mavenPath } from '../../scripts/setup';

const SOURCE_DIR = path.join(projectDir, 'test', 'e2e', 'posten-signering', 'java-client');
const POM = path.join(SOURCE_DIR, 'pom.xml');
const PROGRAM = path.join(SOURCE_DIR, 'PostenJavaClientRun.java');

/** The official client's version, as the pom declares it (the cache folder is named by it). */
export function postenJavaClientVersion(): string {
  const m = /<artifactId>signature-api-client-java<\/artifactId>\s*<version>([^<]+)<\/version>/.exec(
    readFileSync(POM, 'utf8'),
  );
  if (!m) throw new Error(`no signature-api-client-java version in ${POM}`);
  return m[1];
}

function run(cmd: string, args: string[], cwd: string): void {
  const result = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(
      `${path.basename(cmd)} ${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}`,
    );
  }
}

/**
 * Posten's official Java client (Maven Central) and the small program that drives it, resolved by Maven into
 * `.tools/posten-java-client-<version>/` and compiled there once; rebuilt when the pom or the program changes. Maven
 * and a JDK come from Debian packages (scripts/setup.ts). Returns what `java` needs to run the program.
 */
export function ensurePostenJavaClient(): { java: string; classpath: string; mainClass: string } {
  const dir = path.join(projectDir, '.tools', `posten-java-client-${postenJavaClientVersion()}`);
  const stamp = createHash('sha256').update(readFileSync(POM)).update(readFileSync(PROGRAM)).digest('hex');
  const stampFile = path.join(dir, '.built');
  const classes = path.join(dir, 'classes');
  const classpathFile = path.join(dir, 'classpath.txt');
  const java = path.join(path.dirname(javacPath), 'java');
  const result = () => ({
    java,
    classpath: [classes, readFileSync(classpathFile, 'utf8').trim()].join(path.delimiter),
    mainClass: 'PostenJavaClientRun',
  });
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return result();
  mkdirSync(dir, { recursive: true });
  run(
    mavenPath,
    [
      '-B',
      '-q',
      `-Dmaven.repo.local=${path.join(dir, 'm2')}`,
      '-f',
      POM,
      'dependency:build-classpath',
      `-Dmdep.outputFile=${classpathFile}`,
    ],
    dir,
  );
  rmSync(classes, { recursive: true, force: true });
  run(javacPath, ['-d', classes, '-cp', readFileSync(classpathFile, 'utf8').trim(), PROGRAM], dir);
  writeFileSync(stampFile, stamp);
  return result();
}
