//! The command line: parse flags, layer them over the config file, resolve, run, report. `main.rs` only calls
//! [`run`] and turns errors into exit codes.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

pub mod analyze;
pub mod compare;
pub mod options;
pub mod record;
pub mod suggest;
pub mod summary;

use self::options::{Options, Settings};
use crate::error::{Error, Result};
use crate::output::atomic::OutputFolder;

/// arenagap: how near every young child lives to a family-centred arena, and where the gaps are.
#[derive(Debug, Parser)]
#[command(name = "arenagap", version, about, long_about = None, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Measure how near children live to arenas, rank districts and draw gap zones. With no inputs named, runs
    /// on the bundled demo city (data/demo) and writes to ./arenagap-out.
    Analyze(AnalyzeArgs),
    /// Evaluate scenarios (arenas added or closed, another population) against the baseline: per scenario, the
    /// districts and children that get better or worse (layers, QGIS project, map, spreadsheet), a table of every
    /// scenario (CSV and spreadsheet) and report.html. Same inputs and config as analyze; writes to
    /// ./arenagap-compare unless --out says otherwise.
    Compare(CompareArgs),
    /// Choose where K new arenas would do most, the existing ones kept: the most children within reach
    /// (--objective coverage) or the least mean distance (--objective distance), with a proven bound. Writes the
    /// sites, suggest.json, suggested.toml (a scenario for compare) and the comparison with the baseline (as
    /// compare writes it, with report.html), to ./arenagap-suggest unless --out says otherwise.
    Suggest(SuggestArgs),
}

#[derive(Debug, clap::Args)]
struct SuggestArgs {
    /// How many new sites to choose.
    #[arg(long, value_name = "K")]
    count: usize,
    /// What to optimise.
    #[arg(long, value_enum, default_value = "coverage")]
    objective: suggest::Objective,
    /// Candidate sites: a point file (GeoJSON, Shapefile, GeoPackage, CSV); its fields are carried to the output.
    #[arg(long, value_name = "PATH")]
    candidates: Option<PathBuf>,
    /// The id field of --candidates [default: <file stem>#<feature number>].
    #[arg(long, value_name = "FIELD")]
    candidate_id: Option<String>,
    /// The table of --candidates, when it is a GeoPackage holding several.
    #[arg(long, value_name = "NAME")]
    candidate_layer: Option<String>,
    /// Or candidates on a regular grid inside the districts, this many metres apart.
    #[arg(long, value_name = "M")]
    candidate_grid: Option<f64>,
    /// Stop after this many seconds with the best sites and the bound found so far.
    #[arg(long, value_name = "S")]
    time_limit: Option<f64>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, clap::Args)]
struct CompareArgs {
    /// A scenario file (TOML: name, [[add]] arenas or add = "file", close = [ids or names], children keys for
    /// another population); repeatable, one scenario each.
    #[arg(long = "scenario", value_name = "FILE", required = true)]
    scenarios: Vec<PathBuf>,
    #[command(flatten)]
    run: RunArgs,
}

/// What `analyze` takes: what every command takes, and how much of the terminal summary to show.
#[derive(Debug, clap::Args)]
struct AnalyzeArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Districts and gap zones listed in the terminal summary, most underserved first.
    #[arg(long, value_name = "N", default_value_t = summary::DEFAULT_TOP)]
    top: usize,
}

/// What every command that runs an analysis takes: config files, the data folder, quiet, and the options.
#[derive(Debug, clap::Args)]
struct RunArgs {
    /// A TOML config file; its keys are the flag names (district-id = "omrade_kod"), and [kinds.<id>] tables add
    /// kinds of arena (label-sv, label-en, radius, symbol, colour, capacity). Flags win over it. Repeatable: a later
    /// file's keys win over an earlier one's (e.g. a base profile, then an overlay adding a kind).
    #[arg(long, value_name = "FILE")]
    config: Vec<PathBuf>,
    /// Resolve relative input paths (of the config file and of flags) against this folder.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// No progress, no warnings and no summary table: only errors (the warnings are in run.json).
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    options: Options,
}

/// Parses the command line and runs it.
pub fn run() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze(args) => analyze(args),
        Command::Compare(args) => compare(args),
        Command::Suggest(args) => suggest(args),
    }
}

/// The flags over the config files over the demo (when no input is named): the options a run resolves.
fn merged_options(args: &RunArgs) -> Result<Options> {
    let mut flags = args.options.clone();
    // Checked before merging with the config file: on the way through JSON an infinite or NaN value would turn
    // into "not given" and silently take the default.
    flags.check_numbers().map_err(|e| Error::Config(format!("--{e}")))?;
    if let Some(dir) = &args.data_dir {
        if !dir.is_dir() {
            return Err(Error::Config(format!("--data-dir {}: no such folder", dir.display())));
        }
        flags.rebase(dir);
    }
    let mut file = Options::default();
    for path in &args.config {
        file = Options::from_file(path, args.data_dir.as_deref())?.over(file)?;
    }
    // Kinds named alone (--kind familjecentral, for suggest) share the empty raw key, which the merge keeps once:
    // they are put back as given.
    let bare: Vec<(String, String)> = flags.kind.iter().filter(|(raw, _)| raw.is_empty()).cloned().collect();
    let mut options = flags.over(file)?;
    if options.names_no_input() {
        options = options.over(Options::demo(&demo_root()?))?;
    }
    options.kind.retain(|(raw, _)| !raw.is_empty());
    options.kind.extend(bare);
    Ok(options)
}

/// Progress on the terminal (unless quiet or not a terminal): seconds since the start and the step.
fn progress_printer(quiet: bool) -> impl FnMut(&str) {
    let show = !quiet && std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    move |step: &str| {
        if show {
            eprintln!("arenagap: {:>6.2} s  {step}…", started.elapsed().as_secs_f64());
        }
    }
}

fn analyze(AnalyzeArgs { run: args, top }: AnalyzeArgs) -> Result<()> {
    let settings = merged_options(&args)?.resolve()?;
    settings.require_districts()?;
    // Checked (and the hidden folder made) before any work: a bad --out fails at once, and the output is swapped in
    // whole only when every file is written.
    let folder = OutputFolder::begin(&settings.out)?;

    let mut progress = progress_printer(args.quiet);
    let outcome = analyze::run(&settings, &mut progress)?;
    let written = analyze::write_outputs(&outcome, &settings, folder.path(), &mut progress)?;
    folder.commit()?;
    progress("done");
    if !args.quiet {
        print_warnings(&outcome.warnings, &settings.out);
        summary::print(&outcome, settings.zone_link, &settings.out, &written, top);
    }
    Ok(())
}

/// What a command that writes a folder hands back: warnings to print, a summary for the terminal, and the names
/// written at the top of the folder.
struct Finished {
    warnings: Vec<String>,
    summary: String,
    outputs: Vec<String>,
}

/// The frame of `compare` and `suggest`: merge the options (output folder `default_out` unless given), resolve
/// them, begin the output folder, run `body` into it, print the warnings, swap the folder in, print the summary.
fn run_into_folder(
    run: &RunArgs,
    default_out: &str,
    body: impl FnOnce(&Options, &Settings, &Path, &mut dyn FnMut(&str)) -> Result<Finished>,
) -> Result<()> {
    let mut options = merged_options(run)?;
    if options.out.is_none() {
        options.out = Some(PathBuf::from(default_out));
    }
    let settings = options.clone().resolve()?;
    let folder = OutputFolder::begin(&settings.out)?;
    let mut progress = progress_printer(run.quiet);
    let done = body(&options, &settings, folder.path(), &mut progress)?;
    folder.commit()?;
    progress("done");
    if !run.quiet {
        print_warnings(&done.warnings, &settings.out);
        print!("{}", terminal_safe(&done.summary));
        println!();
        println!("Wrote {}: {}", terminal_safe(&settings.out.display().to_string()), done.outputs.join(", "));
    }
    Ok(())
}

fn compare(args: CompareArgs) -> Result<()> {
    let data_dir = args.run.data_dir.clone();
    run_into_folder(&args.run, compare::DEFAULT_OUT, |options, settings, out, progress| {
        settings.require_districts()?;
        let input = compare::Request { options, settings, data_dir: data_dir.as_deref() };
        let done = compare::run(&input, &args.scenarios, out, progress)?;
        Ok(Finished { summary: compare::table(&done), warnings: done.warnings, outputs: done.outputs })
    })
}

fn suggest(args: SuggestArgs) -> Result<()> {
    let request = suggest::Request {
        count: args.count,
        objective: args.objective,
        candidates: args.candidates,
        candidate_id: args.candidate_id,
        candidate_layer: args.candidate_layer,
        candidate_grid: args.candidate_grid,
        time_limit: args.time_limit,
    };
    let data_dir = args.run.data_dir.clone();
    run_into_folder(&args.run, suggest::DEFAULT_OUT, |options, settings, out, progress| {
        let done = suggest::run(&request, options, settings, data_dir.as_deref(), out, progress)?;
        Ok(Finished { summary: suggest::summary(&done), warnings: done.warnings, outputs: done.outputs })
    })
}

/// Where the demo city is: `data/demo` under the current folder, else under the source tree this binary was
/// built from.
fn demo_root() -> Result<PathBuf> {
    let here = PathBuf::new();
    if here.join("data/demo/districts.geojson").is_file() {
        return Ok(here);
    }
    let built = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if built.join("data/demo/districts.geojson").is_file() {
        return Ok(built);
    }
    Err(Error::Config(
        "no inputs named and the demo city (data/demo) is not here: give --districts, --children and --arenas, or \
         --config FILE, or run from the arenagap folder"
            .into(),
    ))
}

/// The longest warning line on the terminal, in characters; run.json has the full text.
const WARNING_LINE_CHARS: usize = 200;
/// The most warning lines on the terminal; run.json has them all.
const MAX_WARNING_LINES: usize = 12;

/// The warnings of a finished run on stderr: one line each (cut to [`WARNING_LINE_CHARS`], at most
/// [`MAX_WARNING_LINES`]), and where the full text is when anything was cut.
fn print_warnings(warnings: &[String], out: &Path) {
    let lines = warning_lines(warnings);
    for line in &lines {
        eprintln!("{line}");
    }
    let cut = lines.len() < warnings.len() || lines.iter().zip(warnings).any(|(l, w)| !l.ends_with(w.as_str()));
    if cut {
        let run_json = out.join("run.json");
        eprintln!(
            "(the full text of the {} warnings is in {})",
            warnings.len(),
            terminal_safe(&run_json.display().to_string())
        );
    }
}

/// The terminal lines of `warnings`: `warning: ` and the text on one line, safe to print, cut to length; past
/// [`MAX_WARNING_LINES`], one line saying how many more.
fn warning_lines(warnings: &[String]) -> Vec<String> {
    let mut lines: Vec<String> = warnings
        .iter()
        .take(MAX_WARNING_LINES)
        .map(|w| {
            let one_line = w.split_whitespace().collect::<Vec<_>>().join(" ");
            format!("warning: {}", truncate(&terminal_safe(&one_line), WARNING_LINE_CHARS))
        })
        .collect();
    if warnings.len() > MAX_WARNING_LINES {
        lines.push(format!("warning: … and {} more", warnings.len() - MAX_WARNING_LINES));
    }
    lines
}

/// Text from data made safe to print: control characters (an escape sequence could move the cursor, recolour or
/// retitle the terminal) are shown as `\u{1b}`, line breaks aside.
pub fn terminal_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` cut to `n` characters, the last an ellipsis when it was longer.
pub(crate) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_are_one_safe_line_each_and_capped() {
        let long = format!("districts.geojson: feature 3\nhas a hole\t{}", "x".repeat(500));
        let lines = warning_lines(&[long, "plain \u{1b}[31m".into()]);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("warning: districts.geojson: feature 3 has a hole x"), "{}", lines[0]);
        assert_eq!(lines[0].chars().count(), "warning: ".len() + WARNING_LINE_CHARS);
        assert!(lines[0].ends_with('…'));
        assert_eq!(lines[1], "warning: plain \\u{1b}[31m");
        let many: Vec<String> = (0..30).map(|i| format!("w{i}")).collect();
        let lines = warning_lines(&many);
        assert_eq!(lines.len(), MAX_WARNING_LINES + 1);
        assert_eq!(lines.last().unwrap(), &format!("warning: … and {} more", 30 - MAX_WARNING_LINES));
    }
}
