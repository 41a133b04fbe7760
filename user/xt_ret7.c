/*
 * xt_ret7: helper for exectest. Returns 7 from main without calling exit:
 * the C start-up code (user/lib/crt0.c) must pass main's return value to
 * exit, so the parent's wait sees status 7.
 */
int
main(void)
{
  return 7;
}
