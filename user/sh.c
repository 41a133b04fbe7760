/*
 * sh: the Rivet shell.
 *
 *   sh                  read commands from standard input (prompting with
 *                       "$ " when that is the console)
 *   sh FILE             run the script FILE line by line
 *   sh -c 'COMMANDS'    run COMMANDS and exit with their status
 *
 * Every command line goes through three steps:
 *   1. tokenize() splits the text into words and operators, removing quotes.
 *   2. parse_line() builds a tree of nodes by recursive descent, one
 *      function per rule of this grammar:
 *
 *        line     = list END
 *        list     = { pipeline (';' | '&' | NEWLINE) } [ pipeline ]
 *        pipeline = stage { '|' stage }
 *        stage    = '(' list ')' { redirect }          a group (run in a subshell)
 *                 | { WORD | redirect }                 a command (at least one WORD)
 *        redirect = ('<' | '>' | '>>') WORD
 *
 *   3. run_list() walks the tree, forking and exec-ing programs.
 *
 * '#' at the start of a word begins a comment that runs to the end of the
 * line. Extra newlines may appear between pipelines. "$?" (unquoted or inside double quotes) becomes the exit status of
 * the last command; it is replaced only when the command runs, so that in
 * "false; echo $?" the echo sees false's status.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define LINE_MAX 1024         /* longest line read from a script or the console */
#define STATUS_MASK 0xff      /* exit statuses are shown as 0..255 */
#define STATUS_SYNTAX_ERROR 2 /* status after a line that does not parse */
#define STATUS_NOT_FOUND 127  /* status when a command cannot be run */
#define STATUS_FAILURE 1      /* a built-in, redirection or fork failed */
#define MAX_STATUS_DIGITS 4   /* "255" plus NUL */
#define FIRST_CAPACITY 8      /* first size of arrays that grow */
#define ROOT_DIR "/"          /* where all programs live */

#define NELEM(array) ((int)(sizeof(array) / sizeof((array)[0])))

/*
 * Stands in a word for "$?" from tokenizing until the command runs.
 * A control character, so it never appears in normal typed text.
 */
#define STATUS_MARK '\001'

static int last_status; /* what "$?" expands to */

/* ---------------------------------------------------------------------
 * Memory helpers
 * ------------------------------------------------------------------- */

/* The shell cannot do anything useful without memory, so it gives up. */
static void *
must_malloc(uint nbytes)
{
  void *p = malloc(nbytes);
  if (p == 0) {
    fprintf(2, "sh: out of memory\n");
    exit(STATUS_FAILURE);
  }
  return p;
}

/* Returns `array` with room for at least count+extra elements of
 * elem_size bytes, moving it to a bigger block (double the size) if
 * needed. *capacity is updated. */
static void *
grow_array(void *array, int count, int extra, int *capacity, int elem_size)
{
  if (count + extra <= *capacity)
    return array;

  int new_capacity = *capacity > 0 ? *capacity * 2 : FIRST_CAPACITY;
  while (new_capacity < count + extra)
    new_capacity *= 2;

  void *bigger = must_malloc(new_capacity * elem_size);
  if (count > 0)
    memmove(bigger, array, count * elem_size);
  free(array);
  *capacity = new_capacity;
  return bigger;
}

/* A string that grows as characters are appended. */
struct text {
  char *chars;
  int len;
  int capacity;
};

static void
append_char(struct text *t, char c)
{
  t->chars = grow_array(t->chars, t->len, 1, &t->capacity, sizeof(char));
  t->chars[t->len++] = c;
}

static void
append_string(struct text *t, const char *s)
{
  for (; *s != 0; s++)
    append_char(t, *s);
}

/* ---------------------------------------------------------------------
 * Syntax errors
 * ------------------------------------------------------------------- */

/*
 * The first syntax error found in the current line, or 0. The message is
 * what + detail (detail names a token, e.g. "unexpected " + "')'").
 * Parsing functions stop as soon as it is set, returning whatever they
 * have built so far; the caller then frees the partial tree.
 */
static const char *syntax_error;
static const char *syntax_error_detail;

static void
set_syntax_error(const char *what, const char *detail)
{
  if (syntax_error == 0) {
    syntax_error = what;
    syntax_error_detail = detail;
  }
}

/* ---------------------------------------------------------------------
 * Step 1: tokens
 * ------------------------------------------------------------------- */

enum token_kind {
  TOKEN_WORD,
  TOKEN_PIPE,       /* |  */
  TOKEN_INPUT,      /* <  */
  TOKEN_OUTPUT,     /* >  */
  TOKEN_APPEND,     /* >> */
  TOKEN_BACKGROUND, /* &  */
  TOKEN_SEMICOLON,  /* ;  */
  TOKEN_NEWLINE,    /* end of a line inside a multi-line command string */
  TOKEN_OPEN,       /* (  */
  TOKEN_CLOSE,      /* )  */
  TOKEN_END,        /* end of the text */
};

/* The operators, longest first so ">>" is not read as two ">". */
static const struct {
  const char *text;
  enum token_kind kind;
} operators[] = {
  { ">>", TOKEN_APPEND },
  { "|", TOKEN_PIPE },
  { "<", TOKEN_INPUT },
  { ">", TOKEN_OUTPUT },
  { "&", TOKEN_BACKGROUND },
  { ";", TOKEN_SEMICOLON },
  { "\n", TOKEN_NEWLINE },
  { "(", TOKEN_OPEN },
  { ")", TOKEN_CLOSE },
};

/* How a token is named in error messages. */
static const char *
token_name(enum token_kind kind)
{
  switch (kind) {
  case TOKEN_WORD: return "word";
  case TOKEN_PIPE: return "'|'";
  case TOKEN_INPUT: return "'<'";
  case TOKEN_OUTPUT: return "'>'";
  case TOKEN_APPEND: return "'>>'";
  case TOKEN_BACKGROUND: return "'&'";
  case TOKEN_SEMICOLON: return "';'";
  case TOKEN_NEWLINE: return "newline";
  case TOKEN_OPEN: return "'('";
  case TOKEN_CLOSE: return "')'";
  case TOKEN_END: return "end of line";
  }
  return "token";
}

struct token {
  enum token_kind kind;
  char *word; /* TOKEN_WORD only; 0 once the parser has taken it */
};

struct token_list {
  struct token *items;
  int count;
  int capacity;
};

static void
add_token(struct token_list *list, enum token_kind kind, char *word)
{
  list->items = grow_array(list->items, list->count, 1, &list->capacity,
                           sizeof(struct token));
  list->items[list->count].kind = kind;
  list->items[list->count].word = word;
  list->count++;
}

static void
free_tokens(struct token_list *list)
{
  for (int i = 0; i < list->count; i++)
    free(list->items[i].word);
  free(list->items);
}

static int
is_blank(char c)
{
  return c == ' ' || c == '\t' || c == '\r';
}

/* Characters that end an unquoted word. */
static int
ends_word(char c)
{
  return c == 0 || is_blank(c) || strchr("|<>&;()\n", c) != 0;
}

/* Length of the operator at s (0 if none); its kind goes in *kind. */
static int
match_operator(const char *s, enum token_kind *kind)
{
  for (int i = 0; i < NELEM(operators); i++) {
    int len = strlen(operators[i].text);
    if (strncmp(s, operators[i].text, len) == 0) {
      *kind = operators[i].kind;
      return len;
    }
  }
  return 0;
}

/* Reads the inside of '...' (s is just past the opening quote): every
 * character is literal. Returns the position after the closing quote, or 0
 * if there is none. */
static const char *
read_single_quoted(const char *s, struct text *word)
{
  for (; *s != '\''; s++) {
    if (*s == 0) {
      set_syntax_error("unterminated quote", "");
      return 0;
    }
    append_char(word, *s);
  }
  return s + 1;
}

/* Reads the inside of "..." (s is just past the opening quote): \" and \\
 * stand for " and \, and $? is the last status. Returns the position after
 * the closing quote, or 0 if there is none. */
static const char *
read_double_quoted(const char *s, struct text *word)
{
  while (*s != '"') {
    if (*s == 0) {
      set_syntax_error("unterminated quote", "");
      return 0;
    }
    if (s[0] == '\\' && (s[1] == '"' || s[1] == '\\')) {
      append_char(word, s[1]);
      s += 2;
    } else if (s[0] == '$' && s[1] == '?') {
      append_char(word, STATUS_MARK);
      s += 2;
    } else {
      append_char(word, *s++);
    }
  }
  return s + 1;
}

/* Reads one word starting at s into *word (a new string). Quoted and
 * unquoted parts join up: a"b c"d is the single word "ab cd". Returns the
 * position after the word, or 0 on a syntax error. */
static const char *
read_word(const char *s, char **word)
{
  struct text text = { 0, 0, 0 };

  while (s != 0 && !ends_word(*s)) {
    if (*s == '\'') {
      s = read_single_quoted(s + 1, &text);
    } else if (*s == '"') {
      s = read_double_quoted(s + 1, &text);
    } else if (s[0] == '\\' && s[1] != 0) {
      append_char(&text, s[1]); // backslash makes the next character plain
      s += 2;
    } else if (s[0] == '$' && s[1] == '?') {
      append_char(&text, STATUS_MARK);
      s += 2;
    } else {
      append_char(&text, *s++);
    }
  }
  append_char(&text, 0);
  *word = text.chars;
  return s;
}

/* Splits line into tokens, ending with TOKEN_END. Returns -1 on a
 * syntax error. */
static int
tokenize(const char *s, struct token_list *tokens)
{
  for (;;) {
    while (is_blank(*s))
      s++;
    if (*s == '#') {
      while (*s != 0 && *s != '\n')
        s++;
    }
    if (*s == 0) {
      add_token(tokens, TOKEN_END, 0);
      return 0;
    }

    enum token_kind kind;
    int len = match_operator(s, &kind);
    if (len > 0) {
      add_token(tokens, kind, 0);
      s += len;
      continue;
    }

    char *word;
    s = read_word(s, &word);
    add_token(tokens, TOKEN_WORD, word); // even on error, so it gets freed
    if (s == 0)
      return -1;
  }
}

/* ---------------------------------------------------------------------
 * Step 2: the command tree
 * ------------------------------------------------------------------- */

struct redirect {
  int fd;         /* 0 for '<', 1 for '>' and '>>' */
  int open_flags; /* how to open path */
  char *path;
  struct redirect *next;
};

enum node_kind {
  NODE_COMMAND,  /* a program (or built-in) with arguments */
  NODE_GROUP,    /* ( list ) */
  NODE_PIPELINE, /* stages joined by '|' (often just one) */
};

/*
 * One node type for everything; each kind uses the fields marked for it.
 * A list is a chain of NODE_PIPELINEs linked through next_in_list.
 */
struct node {
  enum node_kind kind;

  /* NODE_COMMAND: argv[0..argc-1] and a 0 after them, as exec wants */
  char **argv;
  int argc;
  int argv_capacity;

  /* NODE_COMMAND and NODE_GROUP, in the order written */
  struct redirect *redirects;

  /* NODE_GROUP: the list inside the parentheses */
  struct node *body;

  /* NODE_COMMAND and NODE_GROUP: the next stage of the same pipeline */
  struct node *next_stage;

  /* NODE_PIPELINE */
  struct node *stages;       /* first stage */
  int background;            /* followed by '&' */
  struct node *next_in_list; /* next pipeline of the list */
};

static struct node *
new_node(enum node_kind kind)
{
  struct node *node = must_malloc(sizeof(*node));
  memset(node, 0, sizeof(*node));
  node->kind = kind;
  return node;
}

static void free_list(struct node *list);

static void
free_stage(struct node *stage)
{
  for (int i = 0; i < stage->argc; i++)
    free(stage->argv[i]);
  free(stage->argv);

  struct redirect *r = stage->redirects;
  while (r != 0) {
    struct redirect *next = r->next;
    free(r->path);
    free(r);
    r = next;
  }

  free_list(stage->body);
  free(stage);
}

static void
free_list(struct node *list)
{
  while (list != 0) {
    struct node *next_pipeline = list->next_in_list;
    struct node *stage = list->stages;
    while (stage != 0) {
      struct node *next_stage = stage->next_stage;
      free_stage(stage);
      stage = next_stage;
    }
    free(list);
    list = next_pipeline;
  }
}

static void
add_argument(struct node *command, char *word)
{
  // Room for the new word and the 0 that ends argv.
  command->argv = grow_array(command->argv, command->argc, 2,
                             &command->argv_capacity, sizeof(char *));
  command->argv[command->argc++] = word;
  command->argv[command->argc] = 0;
}

/* ---------------------------------------------------------------------
 * Step 2: the parser
 * ------------------------------------------------------------------- */

struct parser {
  struct token *tokens; /* ends with TOKEN_END, so peeking is always safe */
  int pos;
};

static enum token_kind
peek(struct parser *p)
{
  return p->tokens[p->pos].kind;
}

/* Consumes the next token if it is of the given kind. */
static int
accept(struct parser *p, enum token_kind kind)
{
  if (peek(p) != kind)
    return 0;
  p->pos++;
  return 1;
}

/* Takes ownership of the current word token's string and moves on. */
static char *
take_word(struct parser *p)
{
  char *word = p->tokens[p->pos].word;
  p->tokens[p->pos].word = 0;
  p->pos++;
  return word;
}

static void
unexpected_token(struct parser *p)
{
  set_syntax_error("unexpected ", token_name(peek(p)));
}

static int
is_redirect(enum token_kind kind)
{
  return kind == TOKEN_INPUT || kind == TOKEN_OUTPUT || kind == TOKEN_APPEND;
}

static int
starts_stage(enum token_kind kind)
{
  return kind == TOKEN_WORD || kind == TOKEN_OPEN || is_redirect(kind);
}

static struct node *parse_list(struct parser *p);

/* redirect = ('<' | '>' | '>>') WORD; appended to *redirects. */
static void
parse_redirect(struct parser *p, struct redirect **redirects)
{
  enum token_kind kind = peek(p);
  p->pos++;
  if (peek(p) != TOKEN_WORD) {
    set_syntax_error("missing file name after ", token_name(kind));
    return;
  }

  struct redirect *r = must_malloc(sizeof(*r));
  r->path = take_word(p);
  r->next = 0;
  if (kind == TOKEN_INPUT) {
    r->fd = 0;
    r->open_flags = O_RDONLY;
  } else if (kind == TOKEN_OUTPUT) {
    r->fd = 1;
    r->open_flags = O_WRONLY | O_CREATE | O_TRUNC;
  } else {
    r->fd = 1;
    r->open_flags = O_WRONLY | O_CREATE | O_APPEND;
  }

  while (*redirects != 0)
    redirects = &(*redirects)->next;
  *redirects = r;
}

/* stage = '(' list ')' { redirect }, after the '(' has been consumed. */
static struct node *
parse_group(struct parser *p)
{
  struct node *group = new_node(NODE_GROUP);

  group->body = parse_list(p);
  if (syntax_error != 0)
    return group;
  if (!accept(p, TOKEN_CLOSE)) {
    if (peek(p) == TOKEN_END)
      set_syntax_error("missing ')'", "");
    else
      unexpected_token(p);
    return group;
  }
  if (group->body == 0) {
    set_syntax_error("missing command inside ( )", "");
    return group;
  }

  while (syntax_error == 0 && is_redirect(peek(p)))
    parse_redirect(p, &group->redirects);
  return group;
}

/* stage = { WORD | redirect }, with at least one WORD. */
static struct node *
parse_command(struct parser *p)
{
  struct node *command = new_node(NODE_COMMAND);

  while (syntax_error == 0) {
    if (peek(p) == TOKEN_WORD)
      add_argument(command, take_word(p));
    else if (is_redirect(peek(p)))
      parse_redirect(p, &command->redirects);
    else
      break;
  }
  if (syntax_error == 0 && command->argc == 0)
    set_syntax_error("missing command", "");
  return command;
}

static struct node *
parse_stage(struct parser *p)
{
  if (accept(p, TOKEN_OPEN))
    return parse_group(p);
  return parse_command(p);
}

/* pipeline = stage { '|' stage } */
static struct node *
parse_pipeline(struct parser *p)
{
  struct node *pipeline = new_node(NODE_PIPELINE);
  struct node **link = &pipeline->stages;

  for (;;) {
    *link = parse_stage(p);
    link = &(*link)->next_stage;
    if (syntax_error != 0 || !accept(p, TOKEN_PIPE))
      return pipeline;
    if (!starts_stage(peek(p))) {
      set_syntax_error("missing command after '|'", "");
      return pipeline;
    }
  }
}

static void
skip_newlines(struct parser *p)
{
  while (accept(p, TOKEN_NEWLINE))
    ;
}

/* list: pipelines separated by ';', '&' or newlines. Returns 0 for an
 * empty list. */
static struct node *
parse_list(struct parser *p)
{
  struct node *list = 0;
  struct node **link = &list;

  skip_newlines(p);
  while (syntax_error == 0 && starts_stage(peek(p))) {
    struct node *pipeline = parse_pipeline(p);
    *link = pipeline;
    link = &pipeline->next_in_list;
    if (accept(p, TOKEN_BACKGROUND))
      pipeline->background = 1;
    else if (!accept(p, TOKEN_SEMICOLON) && !accept(p, TOKEN_NEWLINE))
      break;
    skip_newlines(p);
  }
  return list;
}

/* line = list END. On a syntax error returns 0 with syntax_error set. */
static struct node *
parse_line(struct token *tokens)
{
  struct parser parser = { tokens, 0 };

  struct node *list = parse_list(&parser);
  if (syntax_error == 0 && peek(&parser) != TOKEN_END)
    unexpected_token(&parser);
  if (syntax_error != 0) {
    free_list(list);
    return 0;
  }
  return list;
}

/* ---------------------------------------------------------------------
 * Step 3: running the tree
 * ------------------------------------------------------------------- */

/* Returns word with each STATUS_MARK replaced by last_status in decimal.
 * The old string is freed if a new one is made. */
static char *
expand_status(char *word)
{
  if (strchr(word, STATUS_MARK) == 0)
    return word;

  char digits[MAX_STATUS_DIGITS];
  int value = last_status & STATUS_MASK;
  int start = MAX_STATUS_DIGITS - 1;
  digits[start] = 0;
  do {
    digits[--start] = '0' + value % 10;
    value /= 10;
  } while (value != 0);

  struct text text = { 0, 0, 0 };
  for (char *s = word; *s != 0; s++) {
    if (*s == STATUS_MARK)
      append_string(&text, digits + start);
    else
      append_char(&text, *s);
  }
  append_char(&text, 0);
  free(word);
  return text.chars;
}

static void
expand_arguments(struct node *command)
{
  for (int i = 0; i < command->argc; i++)
    command->argv[i] = expand_status(command->argv[i]);
}

/* Opens each redirection's file and puts it on its fd. Returns -1 (after
 * saying why) if a file cannot be opened. */
static int
apply_redirects(struct redirect *r)
{
  for (; r != 0; r = r->next) {
    r->path = expand_status(r->path);
    int fd = open(r->path, r->open_flags);
    if (fd < 0) {
      fprintf(2, "sh: %s: %s\n", r->path, strerror(errno));
      return -1;
    }
    if (fd != r->fd) {
      dup2(fd, r->fd);
      close(fd);
    }
  }
  return 0;
}

/* ----- built-in commands: they change the shell process itself ----- */

/* cd [DIR]: without DIR, go to the root. */
static int
builtin_cd(int argc, char **argv)
{
  if (argc > 2) {
    fprintf(2, "sh: cd: too many arguments\n");
    return STATUS_FAILURE;
  }
  const char *dir = argc == 2 ? argv[1] : ROOT_DIR;
  if (chdir(dir) < 0) {
    fprintf(2, "sh: cd: %s: %s\n", dir, strerror(errno));
    return STATUS_FAILURE;
  }
  return 0;
}

/* exit [N]: without N, exit with the last command's status. */
static int
builtin_exit(int argc, char **argv)
{
  if (argc > 2) {
    fprintf(2, "sh: exit: too many arguments\n");
    return STATUS_FAILURE;
  }
  if (argc == 1)
    exit(last_status);
  int status;
  if (parse_int(argv[1], &status) < 0) {
    fprintf(2, "sh: exit: %s: numeric argument required\n", argv[1]);
    exit(STATUS_SYNTAX_ERROR);
  }
  exit(status & STATUS_MASK);
}

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
} builtins[] = {
  { "cd", builtin_cd },
  { "exit", builtin_exit },
};

/* Returns the index of command's built-in, or -1 if it is a program. */
static int
find_builtin(struct node *command)
{
  if (command->kind != NODE_COMMAND)
    return -1;
  for (int i = 0; i < NELEM(builtins); i++)
    if (strcmp(command->argv[0], builtins[i].name) == 0)
      return i;
  return -1;
}

/* ----- programs ----- */

/* Replaces this process with the program argv[0]. Names without a '/'
 * that are not found are tried again in the root directory. Returns only
 * by exiting, after reporting the error. */
static void
exec_program(char **argv)
{
  exec(argv[0], argv);
  if (errno == ENOENT && strchr(argv[0], '/') == 0) {
    char *path = must_malloc(strlen(ROOT_DIR) + strlen(argv[0]) + 1);
    strcpy(path, ROOT_DIR);
    strcat(path, argv[0]);
    exec(path, argv);
    // Report the error for the name as typed; errno from this attempt.
  }
  fprintf(2, "sh: %s: %s\n", argv[0], strerror(errno));
  exit(STATUS_NOT_FOUND);
}

static int run_list(struct node *list);

/* Runs one stage in a child process, whose standard input and output are
 * already connected. Never returns. */
static void
run_stage_in_child(struct node *stage)
{
  if (apply_redirects(stage->redirects) < 0)
    exit(STATUS_FAILURE);

  if (stage->kind == NODE_GROUP)
    exit(run_list(stage->body));

  expand_arguments(stage);
  int builtin = find_builtin(stage);
  if (builtin >= 0)
    exit(builtins[builtin].run(stage->argc, stage->argv));
  exec_program(stage->argv);
}

/* Waits for child pid and returns its status as 0..255 (a process killed
 * by a fault has status -1, which becomes 255). */
static int
wait_for(int pid)
{
  int status;
  if (waitpid(pid, &status, 0) < 0)
    return STATUS_MASK;
  return status & STATUS_MASK;
}

static int
count_stages(struct node *pipeline)
{
  int n = 0;
  for (struct node *stage = pipeline->stages; stage != 0; stage = stage->next_stage)
    n++;
  return n;
}

/* Makes fd `from` available as fd `to` and closes `from`. */
static void
move_fd(int from, int to)
{
  if (from != to) {
    dup2(from, to);
    close(from);
  }
}

/*
 * Starts one child per stage, each reading the previous stage's pipe and
 * writing the next one. Returns the status of the last stage.
 */
static int
run_pipeline(struct node *pipeline)
{
  struct node *first = pipeline->stages;

  // A lone built-in runs in the shell itself, so that cd and exit affect
  // the shell. (Redirections are ignored for it: neither writes output
  // worth redirecting.)
  int builtin = find_builtin(first);
  if (first->next_stage == 0 && builtin >= 0) {
    expand_arguments(first);
    return builtins[builtin].run(first->argc, first->argv);
  }

  int *pids = must_malloc(count_stages(pipeline) * sizeof(int));
  int started = 0;
  int failed = 0;
  int input = -1; // read end of the previous stage's pipe, -1 for stdin

  for (struct node *stage = first; stage != 0; stage = stage->next_stage) {
    int pipe_fds[2] = { -1, -1 };
    if (stage->next_stage != 0 && pipe(pipe_fds) < 0) {
      fprintf(2, "sh: pipe: %s\n", strerror(errno));
      failed = 1;
      break;
    }

    int pid = fork();
    if (pid == 0) {
      if (input >= 0)
        move_fd(input, 0);
      if (pipe_fds[1] >= 0) {
        close(pipe_fds[0]);
        move_fd(pipe_fds[1], 1);
      }
      run_stage_in_child(stage);
    }

    // The parent keeps only the read end the next stage needs.
    if (input >= 0)
      close(input);
    if (pipe_fds[1] >= 0)
      close(pipe_fds[1]);
    input = pipe_fds[0];

    if (pid < 0) {
      fprintf(2, "sh: fork: %s\n", strerror(errno));
      failed = 1;
      break;
    }
    pids[started++] = pid;
  }
  if (input >= 0)
    close(input);

  int status = STATUS_FAILURE;
  for (int i = 0; i < started; i++)
    status = wait_for(pids[i]);
  free(pids);
  return failed ? STATUS_FAILURE : status;
}

/* Runs a pipeline followed by '&' in a child the shell does not wait
 * for; reap_background_jobs() collects it later. */
static void
start_background(struct node *pipeline)
{
  int pid = fork();
  if (pid == 0)
    exit(run_pipeline(pipeline));
  if (pid < 0)
    fprintf(2, "sh: fork: %s\n", strerror(errno));
  else
    fprintf(2, "[%d]\n", pid);
}

/* Runs each pipeline of the list in turn; returns the last status. */
static int
run_list(struct node *list)
{
  for (struct node *pipeline = list; pipeline != 0; pipeline = pipeline->next_in_list) {
    if (pipeline->background) {
      start_background(pipeline);
      last_status = 0;
    } else {
      last_status = run_pipeline(pipeline);
    }
  }
  return last_status;
}

/* Collects background jobs that have finished, without waiting. */
static void
reap_background_jobs(void)
{
  int status;
  while (waitpid(-1, &status, WNOHANG) > 0)
    ;
}

/* ---------------------------------------------------------------------
 * Reading input
 * ------------------------------------------------------------------- */

/* Tokenizes, parses and runs text; returns the resulting status. */
static int
run_text(const char *text)
{
  struct token_list tokens = { 0, 0, 0 };
  struct node *list = 0;

  syntax_error = 0;
  if (tokenize(text, &tokens) == 0)
    list = parse_line(tokens.items);
  free_tokens(&tokens);

  if (syntax_error != 0) {
    fprintf(2, "sh: syntax error: %s%s\n", syntax_error, syntax_error_detail);
    last_status = STATUS_SYNTAX_ERROR;
  } else {
    run_list(list);
  }
  free_list(list);
  return last_status;
}

/*
 * Reads one line (without its newline) from fd into line. Returns 0, or -1
 * at end of input. Reads one byte at a time so that the commands the shell
 * starts can read whatever comes after the line. A line that does not fit
 * is reported and comes back empty.
 */
static int
read_line(int fd, char *line)
{
  int len = 0;
  int too_long = 0;
  char c;

  for (;;) {
    if (read(fd, &c, 1) != 1) {
      if (len == 0 && !too_long)
        return -1;
      break;
    }
    if (c == '\n')
      break;
    if (len + 1 < LINE_MAX)
      line[len++] = c;
    else
      too_long = 1;
  }

  line[len] = 0;
  if (too_long) {
    fprintf(2, "sh: line too long\n");
    line[0] = 0;
  }
  return 0;
}

/* Runs the lines of fd until end of input; returns the last status. */
static int
run_lines(int fd, int interactive)
{
  static char line[LINE_MAX];

  for (;;) {
    reap_background_jobs();
    if (interactive)
      fprintf(2, "$ ");
    if (read_line(fd, line) < 0)
      return last_status;
    run_text(line);
  }
}

/* The shell talks to a person (and prompts) only when reading the console. */
static int
is_console(int fd)
{
  struct stat st;
  return fstat(fd, &st) == 0 && st.type == T_DEVICE;
}

static void
usage(void)
{
  fprintf(2, "usage: sh [-c COMMANDS | FILE]\n");
  exit(STATUS_FAILURE);
}

int
main(int argc, char **argv)
{
  if (argc >= 2 && strcmp(argv[1], "-c") == 0) {
    if (argc < 3)
      usage();
    exit(run_text(argv[2]));
  }
  if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
    usage();

  if (argc == 2) {
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "sh: %s: %s\n", argv[1], strerror(errno));
      exit(STATUS_NOT_FOUND);
    }
    exit(run_lines(fd, 0));
  }

  exit(run_lines(0, is_console(0)));
}
