namespace LspLlama.Core.Completion;

/// <summary>
/// A rough measure of how unbalanced a piece of code is, used only to compare two candidate
/// texts: brackets outside quotes that have no partner, plus one for an unterminated quote.
/// It does not know any language's comments or escapes beyond a backslash, which is enough to
/// tell <c>foo(a))</c> from <c>foo(a)</c>.
/// </summary>
public static class BracketBalance
{
    public static int Mismatches(string code)
    {
        var open = new Stack<char>();
        int unmatched = 0;
        char quote = '\0';
        for (int i = 0; i < code.Length; i++)
        {
            char c = code[i];
            if (quote != '\0')
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == quote || (c == '\n' && quote != '`'))
                {
                    quote = '\0';
                    unmatched += c == '\n' ? 1 : 0;
                }

                continue;
            }

            switch (c)
            {
                case '"' or '\'' or '`':
                    quote = c;
                    break;
                case '(' or '[' or '{':
                    open.Push(c);
                    break;
                case ')' or ']' or '}':
                    if (open.Count > 0 && open.Peek() == Partner(c))
                    {
                        open.Pop();
                    }
                    else
                    {
                        unmatched++;
                    }

                    break;
            }
        }

        return unmatched + open.Count + (quote != '\0' ? 1 : 0);
    }

    private static char Partner(char closer) => closer switch
    {
        ')' => '(',
        ']' => '[',
        _ => '{',
    };
}
