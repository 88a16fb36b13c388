// The assignment step of a pre-started runtime: wait for the function, then become its environment.

/** Resolves once the platform assigned a function: its environment replaces this process's, cwd is its code. */
export async function awaitAssignment(client) {
  const { env } = await client.assignment();
  for (const key of Object.keys(process.env)) if (!Object.hasOwn(env, key)) delete process.env[key];
  Object.assign(process.env, env);
  // The process started in the empty directory that the function's code now covers: enter the code itself.
  process.chdir(process.env.LAMBDA_TASK_ROOT ?? process.cwd());
}
