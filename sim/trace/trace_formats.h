/*
 * trace_formats.h: the registry of trace formats -- one row per format that
 * vmemsim reads, and nothing else.  trace.h makes the trace_fmt enum from it,
 * trace_int.h the declarations of each format's entry points, and reader.c
 * the table that names, detection, the "tried" list of an undetected file and
 * `run --help` (trace_fmt_list) read.  Adding a format is its file,
 * sim/trace/STEM.c, plus one row here.
 *
 * FORMAT(ID, STEM, DETECT, WRITE, SUFFIXES, HELP):
 *   ID        the enum constant, TFMT_ID;
 *   STEM      the name (--format, JSON) and the prefix of its entry points:
 *             int tr_STEM_attach(trace_reader *, vs_err *) always, plus
 *   DETECT    how content identifies it, and the detector that implies:
 *             MAGIC      bool tr_STEM_magic(const unsigned char *, size_t):
 *                        a signature; tried first, in row order;
 *             TEXT       int tr_STEM_sniff(const char *line): 2 a record,
 *                        1 a line it skips, 0 not its own; on text input the
 *                        format accepting the most of the first lines wins;
 *             PLAUSIBLE  bool tr_STEM_plausible(const unsigned char *, size_t):
 *                        a headerless binary; tried last, on non-text input;
 *   WRITE     WRITES     vmemsim also writes it (trace convert, the
 *                        generators): int tr_STEM_writer_init(trace_writer *,
 *                        trace_codec, vs_err *); its SUFFIXES name an output;
 *             READS_ONLY no writer;
 *   SUFFIXES  file-name endings (space-separated, compression suffix removed)
 *             that break a tie between text formats;
 *   HELP      one line for the format list.
 * Row order is enum order; keep existing rows where they are (the enum values
 * are not stored anywhere, but the tie-break among suffixes follows it).
 */
/* clang-format off */
#define TRACE_FORMATS(FORMAT)                                                                                     \
    FORMAT(VMT, vmt, MAGIC, WRITES, ".vmt", "vmemsim's own binary trace (events, processes, VMs)")                        \
    FORMAT(LACKEY, lackey, TEXT, READS_ONLY, ".lackey", "Valgrind lackey --trace-mem=yes")                                    \
    FORMAT(PIN, pin, TEXT, READS_ONLY, ".pin pinatrace.out .pinatrace", "Intel Pin pinatrace")                                \
    FORMAT(SIMICS, simics, TEXT, READS_ONLY, ".simics", "Simics trace module text")                                           \
    FORMAT(CHAMPSIM, champsim, PLAUSIBLE, WRITES, ".champsim .champsimtrace", "ChampSim binary instruction trace")        \
    FORMAT(DRMEMTRACE, drmemtrace, MAGIC, READS_ONLY, "", "DynamoRIO drmemtrace offline, one thread's file")                  \
    FORMAT(SIFT, sift, MAGIC, READS_ONLY, ".sift", "Sniper SIFT")
/* clang-format on */
