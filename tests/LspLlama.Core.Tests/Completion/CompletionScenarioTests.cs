using LspLlama.Core.Completion;
using Xunit;

namespace LspLlama.Core.Tests.Completion;

/// <summary>
/// Stop rules and post-processing, data-driven: a document with a <c>$0</c> cursor, what the model
/// says, and the suggestion expected. Every case runs with one token per byte and with chunks that
/// split lines and characters anywhere, and must give the same result either way.
/// </summary>
public sealed class CompletionScenarioTests
{
    public static TheoryData<string, string, string, string?, string> Cases => new()
    {
        {
            "python: a line indented less than the cursor's block ends it",
            "def f(x):\n    $0\n\nprint(f(1))\n",
            "return x * 2\n\ndef g():\n    pass\n",
            "return x * 2",
            nameof(StopReason.IndentationReturn)
        },
        {
            "python: a block opened on the cursor line ends at the next sibling",
            "def f(x):$0\n",
            "\n    y = x + 1\n    return y\n\ndef g():\n    pass\n",
            "\n    y = x + 1\n    return y",
            nameof(StopReason.IndentationReturn)
        },
        {
            "python: else continues the if it belongs to",
            "if ready:$0\n",
            "\n    go()\nelse:\n    wait()\nlog()\n",
            "\n    go()\nelse:\n    wait()",
            nameof(StopReason.IndentationReturn)
        },
        {
            "python: tabs and spaces compare by width",
            "\tif x:\n\t\t$0\n",
            "a()\n        b()\n    c()\n",
            "a()\n        b()",
            nameof(StopReason.IndentationReturn)
        },
        {
            "python: blank lines inside the block do not stop it",
            "def f():\n    $0\n",
            "a = 1\n\n    b = 2\nc = 3\n",
            "a = 1\n\n    b = 2",
            nameof(StopReason.IndentationReturn)
        },
        {
            "C#: the enclosing block's closing brace ends it",
            "class A\n{\n    void F()\n    {\n        $0\n    }\n}\n",
            "Foo();\n        Bar();\n    }\n\n    void G()\n    {\n    }\n",
            "Foo();\n        Bar();",
            nameof(StopReason.IndentationReturn)
        },
        {
            "C#: a block opened on the cursor line keeps its closing brace",
            "    if (x) {$0\n",
            "\n        y();\n    }\n    z();\n",
            "\n        y();\n    }",
            nameof(StopReason.IndentationReturn)
        },
        {
            "C#: a closing brace the document already has is not repeated",
            "    if (x) {$0\n    }\n",
            "\n        y();\n    }\n    z();\n",
            "\n        y();",
            nameof(StopReason.IndentationReturn)
        },
        {
            "C#: } else { continues the block",
            "    if (x) {$0\n",
            "\n        a();\n    } else {\n        b();\n    }\n    c();\n",
            "\n        a();\n    } else {\n        b();\n    }",
            nameof(StopReason.IndentationReturn)
        },
        {
            "C#: Allman braces",
            "    void F()$0\n",
            "\n    {\n        a();\n    }\n\n    void G()\n    {\n    }\n",
            "\n    {\n        a();\n    }",
            nameof(StopReason.IndentationReturn)
        },
        {
            "python: siblings of the cursor's line after an inner block go on",
            "class A:\n    def f(self):\n        $0\n",
            "x = 1\n        if x:\n            y()\n        return x\n    def g(self):\n        pass\n",
            "x = 1\n        if x:\n            y()\n        return x",
            nameof(StopReason.IndentationReturn)
        },
        {
            "python: except and finally continue a try",
            "try:$0\n",
            "\n    run()\nexcept OSError as e:\n    log(e)\nfinally:\n    close()\nnext_step()\n",
            "\n    run()\nexcept OSError as e:\n    log(e)\nfinally:\n    close()",
            nameof(StopReason.IndentationReturn)
        },
        {
            "python: a dict opened on the cursor line keeps its closing brace",
            "config = {$0\n",
            "\n    \"a\": 1,\n}\nprint(config)\n",
            "\n    \"a\": 1,\n}",
            nameof(StopReason.IndentationReturn)
        },
        {
            "C#: a sibling block after the cursor's line goes on until the enclosing brace",
            "    void F()\n    {\n        var a = 1;$0\n",
            "\n        if (a > 0) {\n            G();\n        }\n        H();\n    }\n",
            "\n        if (a > 0) {\n            G();\n        }\n        H();",
            nameof(StopReason.IndentationReturn)
        },
        {
            "C#: Allman else after the closing brace continues",
            "    if (x)$0\n",
            "\n    {\n        a();\n    }\n    else\n    {\n        b();\n    }\n    c();\n",
            "\n    {\n        a();\n    }\n    else\n    {\n        b();\n    }",
            nameof(StopReason.IndentationReturn)
        },
        {
            "C#: catch on its own line continues a try",
            "    try {$0\n",
            "\n        a();\n    }\n    catch (Exception e) {\n        b(e);\n    }\n    c();\n",
            "\n        a();\n    }\n    catch (Exception e) {\n        b(e);\n    }",
            nameof(StopReason.IndentationReturn)
        },
        {
            "JS: a callback block ends with its });",
            "items.forEach(item => {$0\n",
            "\n    use(item);\n});\nnext();\n",
            "\n    use(item);\n});",
            nameof(StopReason.IndentationReturn)
        },
        {
            "top level: statements at the cursor's indentation go on",
            "import os\n$0\n",
            "import sys\nimport re\n",
            "import sys\nimport re",
            nameof(StopReason.EndOfGeneration)
        },
        {
            "repetition: a looping model keeps one copy of the line",
            "def f(items):\n    $0\n",
            "items.append(1)\n    items.append(1)\n\n    items.append(1)\n    items.append(1)\n",
            "items.append(1)",
            nameof(StopReason.Repetition)
        },
        {
            "repetition: a line written twice is kept",
            "x = 0\n$0\n",
            "x += 1\nx += 1\nprint(x)\n",
            "x += 1\nx += 1\nprint(x)",
            nameof(StopReason.EndOfGeneration)
        },
        {
            "repetition: the cursor's line counts as the first copy",
            "    total += step$0\n",
            "\n    total += step\n    total += step\n    total += step\n",
            null,
            nameof(StopReason.Repetition)
        },
        {
            "CRLF: rules see lines without their CR",
            "def f(x):\r\n    $0\r\n\r\nprint(1)\r\n",
            "return x\r\n\r\ndef g():\r\n",
            "return x",
            nameof(StopReason.IndentationReturn)
        },
        {
            "mid-line: the suggestion is one line",
            "x = compute($0) + offset\n",
            "a, b\nmore()\n",
            "a, b",
            nameof(StopReason.SingleLine)
        },
        {
            "closers right of the cursor still allow several lines",
            "call($0)\n",
            "\n    first,\n    second\n",
            "\n    first,\n    second",
            nameof(StopReason.EndOfGeneration)
        },
        {
            "rest of line: a repeated closing parenthesis is dropped",
            "print($0)\n",
            "\"hi\")",
            "\"hi\"",
            nameof(StopReason.EndOfGeneration)
        },
        {
            "rest of line: the suggestion's own parenthesis is kept",
            "print($0)\n",
            "len(items)",
            "len(items)",
            nameof(StopReason.EndOfGeneration)
        },
        {
            "rest of line: a repeated statement end is dropped",
            "var total = $0;\n",
            "a + b;",
            "a + b",
            nameof(StopReason.EndOfGeneration)
        },
        {
            "rest of line: mid-line text repeated at the end is dropped",
            "var s = $0 + tail;\n",
            "head + tail;",
            "head",
            nameof(StopReason.EndOfGeneration)
        },
        {
            "rest of line: only a closing quote the line needs is dropped",
            "say(\"$0\")\n",
            "hello\")",
            "hello",
            nameof(StopReason.EndOfGeneration)
        },
        {
            "next lines: the suggestion ends where it repeats the next line",
            "def f(x):\n    $0\n    return x\n",
            "x = x + 1\n    return x\n",
            "x = x + 1",
            nameof(StopReason.EndOfGeneration)
        },
        {
            "next lines: re-typing the next line gives no suggestion",
            "def f(x):\n    $0\n    return x\n",
            "return x\n",
            null,
            nameof(StopReason.EndOfGeneration)
        },
        {
            "whitespace: trailing spaces and blank lines go",
            "x = 1\n$0\n",
            "y = 2   \n\n\n",
            "y = 2",
            nameof(StopReason.EndOfGeneration)
        },
        {
            "whitespace: a leading space after a space goes",
            "x = $0\n",
            " 42",
            "42",
            nameof(StopReason.EndOfGeneration)
        },
        {
            "whitespace only gives no suggestion",
            "x = 1\n$0",
            "  \n \n",
            null,
            nameof(StopReason.EndOfGeneration)
        },
        {
            "nothing generated gives no suggestion",
            "x = $0",
            "",
            null,
            nameof(StopReason.EndOfGeneration)
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Suggestion_is_the_same_for_any_tokenization(string name, string document, string output, string? expected, string reason)
    {
        CompletionRequest request = CursorText.Request(document);
        foreach (int chunk in new[] { 1, 3, 7, 64 })
        {
            var tokenizer = new FakeByteTokenizer();
            var model = chunk == 1 ? ScriptedModel.PerByte(output) : ScriptedModel.Chunked(tokenizer, output, chunk);
            var generator = new CompletionGenerator(tokenizer, new FakeClock());

            GenerationResult result = generator.Generate(request, new GenerationOptions(), model, CancellationToken.None);

            Assert.True(expected == result.Suggestion, $"{name} (chunks of {chunk} bytes): expected {Show(expected)}, got {Show(result.Suggestion)} from {Show(result.Text)}");
            Assert.True(reason == result.StopReason.ToString(), $"{name} (chunks of {chunk} bytes): expected {reason}, got {result.StopReason}");
            Assert.Equal(model.Accepted.Count, result.AcceptedTokens);
        }
    }

    private static string Show(string? text) => text is null ? "null" : "\"" + text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
